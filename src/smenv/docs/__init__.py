"""The pictures drawn from the code (tools/graph.py)."""
