"""The enforcer: stops SageMaker work that escapes the secure environment, and says so.

EventBridge invokes handler(event, context) with a CloudTrail "Create*" call or a SageMaker
state-change event. The event only names the resource; the decision comes from the resource's
current description (rules.py), and the response (actions.py) is:

| resource | violating and running | otherwise |
| --- | --- | --- |
| training / processing / tuning / transform job | stopped | finished jobs are ignored |
| notebook instance | stopped (InService, Pending) | a Stopped one is reported once, not touched |
| model | deleted | kept and reported when an endpoint configuration serves it |

Each violating resource gives one finding on FINDINGS_TOPIC_ARN and one JSON log line. In
audit mode the same decisions are made and published, and nothing is changed. The second
event for the same resource (a retry, or the other event kind) finds it Stopping, Stopped,
deleted or marked, and does nothing. A resource that vanished before or while it was handled
(deleted between the event and the Describe, or between the Describe and ListTags, AddTags,
Stop* or DeleteModel) is logged as "gone" and left: a normal return, never an error. A job that
ends while it is being stopped is "finished_before_stop", also a normal return. AWS errors other
than those are raised after botocore's standard retries, so Lambda retries the event and its
dead-letter queue keeps it. A wrong configuration is logged as one error and raised: the enforcer
never guesses at it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

if __package__:
    from . import actions, jsonlog, rules
    from .config import Config, ConfigError, load_config
    from .events import Ignored, Target, parse_event
else:  # Lambda loads handler.py as a top-level module, with this directory as the code root
    import actions
    import jsonlog
    import rules
    from config import Config, ConfigError, load_config
    from events import Ignored, Target, parse_event

log = jsonlog.get_logger()
RETRIES = BotoConfig(
    retries={"mode": "standard", "max_attempts": 4},
    connect_timeout=5,
    read_timeout=20,
    user_agent_extra="smenv-enforcer",
)

# Marker values (rules.MARKER_TAG_KEY) left on resources the enforcer did not remove.
MARK_STOPPED = "stopped"
MARK_REPORTED = "reported"

_CLIENTS: dict[str, actions.Clients] = {}


def get_clients() -> actions.Clients:
    """Clients for this container, made on first use (standard retries) and reused after."""
    if "default" not in _CLIENTS:
        _CLIENTS["default"] = actions.Clients(
            sagemaker=boto3.client("sagemaker", config=RETRIES),
            sns=boto3.client("sns", config=RETRIES),
        )
    return _CLIENTS["default"]


def set_clients(clients: actions.Clients | None) -> None:
    """Use these clients from now on (None: make fresh ones on next use). For tools and tests."""
    _CLIENTS.pop("default", None)
    if clients is not None:
        _CLIENTS["default"] = clients


def handler(event: Any, context: Any) -> dict[str, Any]:
    jsonlog.set_request_id(getattr(context, "aws_request_id", None))
    try:
        config = load_config(os.environ)
    except ConfigError as exc:
        # Refuse to act and fail the invocation: Lambda retries, the dead-letter queue keeps the
        # event for a replay once the configuration is fixed, and the Errors metric shows it.
        log.error("configuration_invalid", extra={"fields": {"decision": "refused", "problems": exc.problems}})
        raise
    clients = get_clients()
    return process(event, config, clients, account=_account_of(context), region=clients.sagemaker.meta.region_name)


def _account_of(context: Any) -> str | None:
    """The function's own account, from its ARN (arn:aws:lambda:region:account:function:name)."""
    arn = getattr(context, "invoked_function_arn", None)
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[4] if len(parts) > 5 and parts[4].isdigit() else None


@dataclass
class Case:
    """One resource under decision: what the event said, what AWS says, what the rules say."""

    target: Target
    arn: str
    status: str | None
    running: bool
    verdict: rules.Verdict
    config: Config
    tags: dict[str, str] | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def process(
    event: Any,
    config: Config,
    clients: actions.Clients,
    *,
    account: str | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """Decide about one event and act on it. Returns (and logs) the decision."""
    try:
        target = parse_event(event)
    except Exception as exc:  # parse_event is written not to raise; a malformed event must not either
        target = Ignored("unreadable_event", type(exc).__name__)
    if isinstance(target, Ignored):
        return _ignored(target.reason, target.detail)
    if account and target.account and target.account != account:
        return _ignored("other_account", f"event from {target.account}", target)
    if region and target.region and target.region != region:
        return _ignored("other_region", f"event from {target.region}", target)

    sagemaker = clients.sagemaker
    try:
        description = actions.describe_or_gone(sagemaker, target.kind, target.name)
    except actions.Gone as gone:
        return _gone(target, gone)
    status = rules.status_of(target.kind, description)
    running = rules.is_running(target.kind, description)
    if not running and not (target.kind == rules.NOTEBOOK and status == "Stopped"):
        return _ignored("not_running", f"status {status}", target)
    try:
        case = _judge(sagemaker, target, description, config)
    except actions.Gone as gone:
        return _gone(target, gone)
    if case.verdict.compliant:
        return _decided(case, "compliant", None)

    try:
        if target.kind == rules.MODEL:
            action = _respond_model(sagemaker, case)
        elif target.kind == rules.NOTEBOOK:
            action = _respond_notebook(sagemaker, case)
        else:
            action = _respond_job(sagemaker, case)
    except actions.Gone as gone:
        return _gone(target, gone, case.verdict)
    if action is None:  # someone (another invocation) already dealt with it
        return _ignored("already_handled", "", target)
    if action == "stop_deferred":  # its InService event will stop it and publish the finding
        return _decided(case, "violation", action)
    return _decided(case, "violation", action, clients=clients)


def _judge(sagemaker, target: Target, description: dict[str, Any], config: Config) -> Case:
    """The verdict on a running resource, with what it needs besides its description (a transform
    job's model, a model's tags). Raises Gone when the resource vanishes meanwhile."""
    status = rules.status_of(target.kind, description)
    arn = str(description.get(rules.ARN_FIELD[target.kind]) or target.name)
    model = None
    if target.kind == rules.TRANSFORM_JOB:
        model_name = description.get("ModelName")
        if isinstance(model_name, str) and model_name:
            model = actions.describe(sagemaker, rules.MODEL, model_name)  # None: fails closed in rules
    tags = None
    if target.kind == rules.MODEL and config.policy.allow_serverless_inference and not description.get("VpcConfig"):
        tags = _tags(sagemaker, target, arn)
    verdict = rules.evaluate(target.kind, description, config.policy, tags=tags, model=model)
    running = rules.is_running(target.kind, description)
    return Case(target, arn, status, running, verdict, config, tags)


def _tags(sagemaker, target: Target, arn: str) -> dict[str, str]:
    with actions.vanishing(sagemaker, target.kind, target.name, "list_tags"):
        return actions.list_tags(sagemaker, arn)


def _mark(sagemaker, case: Case, value: str) -> None:
    with actions.vanishing(sagemaker, case.target.kind, case.target.name, "add_tags"):
        actions.mark(sagemaker, case.arn, value)


def _respond_job(sagemaker, case: Case) -> str | None:
    target = case.target
    if not case.config.enforcing:
        return "would_stop"
    try:
        actions.stop(sagemaker, target.kind, target.name)
    except ClientError as exc:
        if not (actions.is_not_found(exc) or actions.is_validation_error(exc)):
            raise
        # The job changed state between describe and stop ("... is in status Completed"): look again.
        now = actions.describe(sagemaker, target.kind, target.name)
        if now is None:
            raise actions.Gone("stop", actions.gone_form(exc)) from exc
        status = rules.status_of(target.kind, now)
        if status in ("Stopping", "Stopped"):
            return None
        if status in ("Completed", "Failed"):
            return "finished_before_stop"
        raise
    return "stopped"


def _respond_notebook(sagemaker, case: Case) -> str | None:
    if not case.running:  # Stopped: report once, never touch
        if rules.MARKER_TAG_KEY in _tags(sagemaker, case.target, case.arn):
            return None
        if case.config.enforcing:
            _mark(sagemaker, case, MARK_REPORTED)
        return "reported"
    if not case.config.enforcing:
        return "would_stop"
    # Mark first: if the stop then fails, the retry still finds it running and stops it.
    if _tags(sagemaker, case.target, case.arn).get(rules.MARKER_TAG_KEY) != MARK_STOPPED:
        _mark(sagemaker, case, MARK_STOPPED)
    try:
        actions.stop(sagemaker, rules.NOTEBOOK, case.target.name)
    except ClientError as exc:
        if not (actions.is_not_found(exc) or actions.is_validation_error(exc)):
            raise
        now = actions.describe(sagemaker, rules.NOTEBOOK, case.target.name)
        if now is None:
            raise actions.Gone("stop", actions.gone_form(exc)) from exc
        status = rules.status_of(rules.NOTEBOOK, now)
        if status == "Pending":  # not stoppable yet
            return "stop_deferred"
        if status in ("Stopping", "Stopped"):
            return None
        raise
    return "stopped"


def _respond_model(sagemaker, case: Case) -> str | None:
    in_use = actions.endpoint_config_using(sagemaker, case.target.name)
    if in_use:
        case.notes["in_use_by"] = in_use
        tags = case.tags if case.tags is not None else _tags(sagemaker, case.target, case.arn)
        if rules.MARKER_TAG_KEY in tags:
            return None
        if case.config.enforcing:
            _mark(sagemaker, case, MARK_REPORTED)
        return "retained_in_use"
    if not case.config.enforcing:
        return "would_delete"
    actions.delete_model(sagemaker, case.target.name)
    return "deleted"


def _fields(target: Target | None) -> dict[str, Any]:
    if target is None:
        return {}
    return {
        "resource_type": target.kind,
        "resource_name": target.name,
        "trigger": target.trigger,
        "event_id": target.event_id,
    }


def _ignored(reason: str, detail: str, target: Target | None = None) -> dict[str, Any]:
    result = {"decision": "ignored", "reason": reason, **_fields(target)}
    log.info("decision", extra={"fields": {**result, "detail": detail}})
    return result


def _gone(target: Target, gone: actions.Gone, verdict: rules.Verdict | None = None) -> dict[str, Any]:
    """Log and leave a resource that vanished: `gone_at` names the call that found it gone, and
    the rules it broke, when they were known by then, stay in the log line."""
    result: dict[str, Any] = {
        "decision": "ignored",
        "reason": "gone",
        **_fields(target),
        "gone_at": gone.step,
        "answer": gone.form,
    }
    if verdict is not None:
        result["violations"] = verdict.rule_ids
    log.info("decision", extra={"fields": {**result, "detail": f"{target.kind} {target.name} no longer exists"}})
    return result


def build_finding(case: Case, action: str) -> dict[str, Any]:
    """The SNS message: what was found, who caused it (when CloudTrail says), what was done."""
    target = case.target
    return {
        "schema": actions.FINDING_SCHEMA,
        "resource_arn": case.arn,
        "resource_type": target.kind,
        "resource_name": target.name,
        "status": case.status,
        "violations": case.verdict.rule_ids,
        "details": [{"rule": v.rule, "message": v.message} for v in case.verdict.violations],
        "action": action,
        "mode": case.config.mode,
        "caller": target.caller,
        "trigger": target.trigger,
        "event_id": target.event_id,
        "cloudtrail_event_id": target.cloudtrail_event_id,
        "account": target.account,
        "region": target.region,
        "event_time": target.time,
        **case.notes,
    }


def _decided(
    case: Case, decision: str, action: str | None, *, clients: actions.Clients | None = None
) -> dict[str, Any]:
    """Log the decision (one line) and, for a violation with clients given, publish its finding."""
    result: dict[str, Any] = {
        "decision": decision,
        "resource_arn": case.arn,
        **_fields(case.target),
        "status": case.status,
        "violations": case.verdict.rule_ids,
        "action": action,
        "mode": case.config.mode,
        "finding_published": False,
        **case.notes,
    }
    topic = case.config.findings_topic_arn
    if decision == "violation" and action and clients is not None and topic:
        finding = build_finding(case, action)
        try:
            actions.publish(clients.sns, topic, finding)
        except Exception:
            # The action is done; a retry would find nothing to do. Keep the finding in the log
            # and fail the invocation so the Errors metric shows the lost notification.
            log.exception("finding_not_published", extra={"fields": {**result, "finding": finding}})
            raise
        result["finding_published"] = True
    level = logging.WARNING if decision == "violation" else logging.INFO
    details = [v.message for v in case.verdict.violations]
    log.log(level, "decision", extra={"fields": {**result, "caller": case.target.caller, "details": details}})
    return result
