"""SageMaker Pipelines: what tools/pipeline.py meets."""

from __future__ import annotations

from smenv.live.emulator_patches import patch
from smenv.live.emulator_patches._moto import (
    _add_operations,
    _install,
)

# --- SageMaker Pipelines: what tools/pipeline.py meets ----------------------------------------------


@patch(
    gap="a missing pipeline is a `ValidationException` to `DescribePipeline`, `UpdatePipeline`, "
    "`DeletePipeline`, `StartPipelineExecution`, where AWS answers `ResourceNotFound`",
    effect="`tools/pipeline.py upsert` cannot tell a pipeline to create from one to update",
)
def sagemaker_pipeline_not_found() -> None:
    """moto answers DescribePipeline, UpdatePipeline, DeletePipeline and StartPipelineExecution of a
    missing pipeline with a ValidationException; AWS answers ResourceNotFound (API reference, each
    call's Errors), which is how tools/pipeline.py tells a pipeline to create from one to update.
    Here a missing pipeline is ResourceNotFound."""
    from moto.sagemaker.exceptions import ResourceNotFound
    from moto.sagemaker.models import SageMakerModelBackend

    def make(method):
        def wrapped(self, pipeline_name, *args, **kwargs):
            if pipeline_name not in self.pipelines:
                raise ResourceNotFound(f"Pipeline '{pipeline_name}' does not exist.")
            return method(self, pipeline_name, *args, **kwargs)

        return wrapped

    for name in ("describe_pipeline", "update_pipeline", "delete_pipeline", "start_pipeline_execution"):
        _install(SageMakerModelBackend, name, make)


@patch(
    gap="a pipeline execution starts `Succeeded`, there is no `StopPipelineExecution` (500), and "
    "`DeletePipeline` deletes a pipeline with an execution running, which AWS refuses",
    effect="`tools/sweep.py` finds no running execution, cannot stop one, and is not held to stopping them "
    "before the delete",
)
def sagemaker_pipeline_executions() -> None:
    """moto starts a pipeline execution already Succeeded, has no StopPipelineExecution (500), and
    deletes a pipeline while it runs. AWS starts one Executing; StopPipelineExecution moves it to
    Stopping, then Stopped; DeletePipeline deletes a pipeline only "if there are no running
    instances" (API reference). tools/sweep.py stops a pipeline's executions, waits, then deletes it.
    Here an execution starts Executing and stays so until stopped (the emulator runs no step); a stop
    of an Executing one moves it to Stopping (the next DescribePipelineExecution to Stopped), of
    another is a ValidationException, of a missing one ResourceNotFound; DeletePipeline of a pipeline
    with an Executing or Stopping execution is a ConflictException."""
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.sagemaker import models
    from moto.sagemaker.exceptions import ConflictException, ResourceNotFound, ValidationError
    from moto.sagemaker.responses import SageMakerResponse

    def make_init(init):
        def __init__(self, *args, **kwargs):
            init(self, *args, **kwargs)
            self.pipeline_execution_status = "Executing"

        return __init__

    def find(backend, arn: str):
        for pipeline in backend.pipelines.values():
            if arn in pipeline.pipeline_executions:
                return pipeline.pipeline_executions[arn]
        raise ResourceNotFound(f"Pipeline execution '{arn}' does not exist.")

    def stop_pipeline_execution(self):
        arn = self._get_param("PipelineExecutionArn")
        execution = find(self.sagemaker_backend, arn)
        if execution.pipeline_execution_status != "Executing":
            raise ValidationError(
                f"Pipeline execution '{arn}' is in status {execution.pipeline_execution_status}: only an Executing one can be stopped."
            )
        execution.pipeline_execution_status = "Stopping"
        execution.last_modified_time = utcnow()
        return ActionResult({"PipelineExecutionArn": arn})

    def make_describe(describe):
        def describe_pipeline_execution(self, pipeline_execution_arn, *args, **kwargs):
            answer = describe(self, pipeline_execution_arn, *args, **kwargs)
            execution = find(self, pipeline_execution_arn)
            if execution.pipeline_execution_status == "Stopping":
                execution.pipeline_execution_status = "Stopped"
            return answer

        return describe_pipeline_execution

    def make_delete(delete):
        def delete_pipeline(self, pipeline_name, *args, **kwargs):
            pipeline = self.pipelines.get(pipeline_name)
            running = [
                e for e in (pipeline.pipeline_executions.values() if pipeline else [])
                if e.pipeline_execution_status in ("Executing", "Stopping")
            ]  # fmt: skip
            if running:
                raise ConflictException(
                    f"Pipeline '{pipeline_name}' has {len(running)} running execution(s): stop them before deleting it."
                )
            return delete(self, pipeline_name, *args, **kwargs)

        return delete_pipeline

    _install(models.FakePipelineExecution, "__init__", make_init)
    _add_operations(SageMakerResponse, "sagemaker_pipeline_executions", [stop_pipeline_execution])
    _install(models.SageMakerModelBackend, "describe_pipeline_execution", make_describe)
    _install(models.SageMakerModelBackend, "delete_pipeline", make_delete)
