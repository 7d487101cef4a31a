"""Keep only what an API accepts: a Describe answer reused as a Create request (pure, from botocore's model)."""

from __future__ import annotations

from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape


def input_only(shape: Shape, value: Any) -> Any:
    """value with every structure member the input shape does not know removed (recursively)."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {name: input_only(shape.members[name], v) for name, v in value.items() if name in shape.members}
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [input_only(shape.member, item) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {k: input_only(shape.value, v) for k, v in value.items()}
    return value
