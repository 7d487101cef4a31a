"""A team's SageMaker pipeline inside the perimeter (tools/pipeline.py): the pieces, each small.

- contract    the team's values from the environment contract (SSM), the region's scikit-learn image
- definition  the pipeline JSON DSL (examples/pipelines/pipeline.json): rendered from the contract,
              checked against the perimeter before anything is sent (pure)
- requests    each step as the requests SageMaker Pipelines makes with the pipeline role, as the IAM
              condition keys AWS sends (pure: the access tests evaluate them)
- code        the step scripts as content-addressed S3 objects
- deploy      reads first (plan), then uploads, CreatePipeline/UpdatePipeline, StartPipelineExecution
"""

from __future__ import annotations

# Exit codes, as tools/promote_model.py's.
EXIT_OK = 0
EXIT_AWS_FAILURE = 1
EXIT_USAGE = 2


class PipelineFailed(Exception):
    """An AWS call failed after something was written; what this run uploaded was removed again. Exit 1."""
