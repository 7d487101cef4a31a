"""The access matrix: every flow an environment must allow or deny, evaluated over the policies it writes.

inventory.py collects the policies from the units' plan JSON, flows.py reads and expands the catalogue
(access/flows.yaml), matrix.py evaluates it with the IAM evaluator; tools/access_matrix.py is the command.
"""
