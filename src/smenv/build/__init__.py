"""Build artefacts: the Lambda zips, and loading a handler as Lambda does."""
