# This module takes no inputs: its one fact is the data file beside it (instance_storage.json).
