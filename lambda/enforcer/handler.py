"""The enforcer: stops SageMaker work that escapes the secure environment, and says so.

EventBridge invokes handler(event, context) with a CloudTrail Create*/Update* call or a SageMaker
state-change event (events.py). The event only names the resource; the decision comes from the
resource's current description (rules.py), and the response (actions.py) is:

| resource | violating and running | otherwise |
| --- | --- | --- |
| training / processing / tuning / transform job, monitoring schedule | stopped | finished (stopped) ones are ignored |
| compilation / optimization / labeling / inference-recommendations job | stopped when it escapes (rules.ESCAPE_RULES: outside the VPC or in another team's security group, an outside work force) | reported once (a key missing only) |
| notebook instance | stopped (InService, Pending) | a Stopped or Updating one is reported once, not touched |
| model | deleted | kept and reported once when an endpoint configuration serves it |
| endpoint | deleted when it escapes (a variant, production or shadow, serves a model outside the VPC that is no permitted serverless one, one in another team's security group, or one that cannot be verified), unless tagged managed-by=terraform: then reported once and kept | reported once (a key missing only) |
| Studio app | deleted (DeleteApp) | |
| model package registered with a validation job (rules.evaluate_model_package) | deleted (DeleteModelPackage) | |
| endpoint configuration, notebook lifecycle configuration, HyperPod cluster, Studio domain | reported once | |

The endpoint policy. An endpoint serves traffic: deleting it is severe, and reversible (its
configuration and models are left in place, as evidence and to redeploy once fixed). An endpoint
outside the VPC is deleted because a model without a VPC serves (and reads) data with internet
access; Terraform's own endpoints cannot get there (the guardrails deny such a model at create and
modules/endpoint always sets VpcConfig), so one tagged managed-by=terraform that does has been
changed out of band: it is reported, once per verdict (the enforcer's verified marker), and kept
for a person to restore with `terraform apply` rather than taken offline by the enforcer. The tag
only ever spares an endpoint from deletion, never from the finding. A delete refused while the
endpoint is Creating or Updating (a ValidationException, the endpoint still in one of those
states) is "delete_deferred": its InService state change deletes it.

"Reported once" rests on the enforcer's marker (markers.py): a tag whose value carries a KMS HMAC
over the resource's ARN, its CreationTime and the verdict. A marker that does not verify (set by
hand, by the creator at create time, or copied) is ignored, the resource judged as if it had none,
and the log line and finding say so (`marker_ignored`); a genuine marker for another verdict (the
resource changed) is stale, and the resource is reported again.

Each violating resource gives one finding on FINDINGS_TOPIC_ARN and one JSON log line. In
audit mode the same decisions are made and published, and nothing is changed. The second
event for the same resource (a retry, or the other event kind) finds it Stopping, Stopped,
deleted or marked, and does nothing. A resource that vanished before or while it was handled
(deleted between the event and the Describe, or between the Describe and ListTags, AddTags,
Stop* or Delete*) is logged as "gone" and left: a normal return, never an error. A job that
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
    from . import actions, jsonlog, markers, rules
    from .config import Config, ConfigError, load_config
    from .events import Ignored, Target, parse_event
else:  # Lambda loads handler.py as a top-level module, with this directory as the code root
    import actions
    import jsonlog
    import markers
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

# Marker states (rules.MARKER_TAG_KEY, markers.py) left on resources the enforcer did not remove.
MARK_STOPPED = markers.STOPPED
MARK_REPORTED = markers.REPORTED
# Endpoint states in which a delete is refused until the deployment ends (its InService event comes).
_ENDPOINT_IN_PROGRESS = frozenset({"Creating", "Updating", "SystemUpdating", "RollingBack"})

_CLIENTS: dict[str, actions.Clients] = {}


def get_clients() -> actions.Clients:
    """Clients for this container, made on first use (standard retries) and reused after."""
    if "default" not in _CLIENTS:
        _CLIENTS["default"] = actions.Clients(
            sagemaker=boto3.client("sagemaker", config=RETRIES),
            sns=boto3.client("sns", config=RETRIES),
            kms=boto3.client("kms", config=RETRIES),
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
    description: dict[str, Any] = field(default_factory=dict)
    phase: str = rules.RUNNING


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
    if rules.phase(target.kind, description) == rules.ENDED:
        return _ignored("not_running", f"status {rules.status_of(target.kind, description)}", target)
    try:
        case = _judge(sagemaker, target, description, config)
    except actions.Gone as gone:
        return _gone(target, gone)
    if case.verdict.compliant:
        return _decided(case, "compliant", None)

    try:
        action = _respond(clients, case)
    except actions.Gone as gone:
        return _gone(target, gone, case.verdict)
    if action is None:  # someone (another invocation) already dealt with it
        return _ignored("already_handled", "", target)
    if action in ("stop_deferred", "delete_deferred"):  # its InService event acts and publishes the finding
        return _decided(case, "violation", action)
    return _decided(case, "violation", action, clients=clients)


def _judge(sagemaker, target: Target, description: dict[str, Any], config: Config) -> Case:
    """The verdict on a running resource, with what it needs besides its description (a transform
    job's model, a model's tags, the models an endpoint serves, a monitoring schedule's job
    definition, a Studio app's domain). Raises Gone when the resource vanishes meanwhile."""
    kind, policy = target.kind, config.policy
    arn = str(description.get(rules.ARN_FIELD[kind]) or target.name)
    model = related = configs = models = tags = None
    if kind == rules.TRANSFORM_JOB:
        model_name = description.get("ModelName")
        if isinstance(model_name, str) and model_name:
            model = actions.describe(sagemaker, rules.MODEL, model_name)  # None: fails closed in rules
    elif kind == rules.MODEL and policy.allow_serverless_inference and not description.get("VpcConfig"):
        tags = _tags(sagemaker, target, arn)
    elif kind == rules.ENDPOINT_CONFIG:
        models = _models(sagemaker, [description], policy)
    elif kind == rules.ENDPOINT:
        configs = {
            n: actions.describe(sagemaker, rules.ENDPOINT_CONFIG, n) for n in rules.endpoint_config_names(description)
        }
        models = _models(sagemaker, [c for c in configs.values() if c is not None], policy)
    elif kind == rules.MONITORING_SCHEDULE:
        named = rules.monitoring_definition_name(description)
        related = actions.describe_job_definition(sagemaker, *named) if named else None
    elif kind == rules.APP:
        domain_id = description.get("DomainId")
        if isinstance(domain_id, str) and domain_id:
            related = actions.describe(sagemaker, rules.DOMAIN, domain_id)  # None: fails closed in rules
    verdict = rules.evaluate(
        kind,
        description,
        policy,
        tags=tags,
        model=model,
        models=models,
        configs=configs,
        related=related,
        written=target.written,
        written_by=target.caller_principal,
    )
    stage = rules.phase(kind, description)
    status = rules.status_of(kind, description)
    return Case(
        target, arn, status, stage == rules.RUNNING, verdict, config, tags, description=description, phase=stage
    )


def _models(sagemaker, configs: list[dict[str, Any]], policy: rules.Policy) -> dict[str, rules.ModelAndTags]:
    """Every model the endpoint configurations serve: (its description or None when it is gone, its
    tags where the serverless exemption could apply)."""
    found: dict[str, rules.ModelAndTags] = {}
    for name in sorted({n for c in configs for n in rules.models_in_endpoint_config(c)}):
        model = actions.describe(sagemaker, rules.MODEL, name)
        tags: dict[str, str] = {}
        if model is not None and policy.allow_serverless_inference and not model.get("VpcConfig"):
            try:
                with actions.vanishing(sagemaker, rules.MODEL, name, "list_tags"):
                    tags = actions.list_tags(sagemaker, str(model.get("ModelArn")))
            except actions.Gone:
                model = None
        found[name] = (model, tags)
    return found


def _tags(sagemaker, target: Target, arn: str) -> dict[str, str]:
    with actions.vanishing(sagemaker, target.kind, target.name, "list_tags"):
        return actions.list_tags(sagemaker, arn)


def _respond(clients: actions.Clients, case: Case) -> str | None:
    """What to do about a violating resource: its kind's response (rules.KINDS, the table above)."""
    response = rules.KINDS[case.target.kind].response
    if case.target.kind == rules.NOTEBOOK:
        return _respond_notebook(clients, case)
    if response == rules.STOP or (response == rules.STOP_WHEN_ESCAPING and case.verdict.escapes):
        return _respond_job(clients.sagemaker, case)
    if response == rules.DELETE_UNLESS_IN_USE:
        return _respond_model(clients, case)
    if response == rules.DELETE_WHEN_ESCAPING and case.verdict.escapes:
        return _respond_endpoint(clients, case)
    if response == rules.DELETE:
        return _respond_delete(clients.sagemaker, case)
    return _report_once(clients, case)


# --- the marker -----------------------------------------------------------------------------------


def _digest(case: Case) -> str:
    revision = case.description.get(rules.REVISION_FIELD.get(case.target.kind, ""))
    return markers.verdict_digest([(v.rule, v.message) for v in case.verdict.violations], revision)


def _marker_message(case: Case, state: str, digest: str) -> bytes:
    return markers.message(case.arn, case.description.get("CreationTime"), state, digest)


def _marker_found(clients: actions.Clients, case: Case, tags: dict[str, str]) -> str:
    """What the resource's marker tag is: markers.CURRENT (the enforcer's own, for this verdict),
    STALE (its own, for another verdict), ABSENT, or IGNORED (a value it did not write: logged, and
    named in the finding). Without a marker key nothing can be verified: any value is IGNORED."""
    raw = tags.get(rules.MARKER_TAG_KEY)
    if raw is None:
        return markers.ABSENT
    marker = markers.parse(raw)
    key = case.config.marker_key_arn
    if marker is None:
        return _marker_ignored(case, raw, "malformed")
    if key is None or clients.kms is None:
        return _marker_ignored(case, raw, "no_marker_key")
    if not actions.verify_mac(clients.kms, key, _marker_message(case, marker.state, marker.digest), marker.mac):
        return _marker_ignored(case, raw, "mac_not_verified")
    return markers.CURRENT if marker.digest == _digest(case) else markers.STALE


def _marker_ignored(case: Case, raw: str, reason: str) -> str:
    case.notes["marker_ignored"] = reason
    fields = {**_fields(case.target), "resource_arn": case.arn, "reason": reason, "value": raw[:100]}
    log.warning("marker_ignored", extra={"fields": fields})
    return markers.IGNORED


def _marker_value(clients: actions.Clients, case: Case, state: str) -> str | None:
    """The marker to write for this verdict (a KMS GenerateMac), or None without a marker key."""
    key = case.config.marker_key_arn
    if key is None or clients.kms is None:
        log.info("marker_not_written", extra={"fields": {**_fields(case.target), "reason": "no_marker_key"}})
        return None
    digest = _digest(case)
    mac = actions.generate_mac(clients.kms, key, _marker_message(case, state, digest))
    return markers.value(state, digest, mac)


def _write_marker(sagemaker, case: Case, value: str | None) -> None:
    if value is not None:
        with actions.vanishing(sagemaker, case.target.kind, case.target.name, "add_tags"):
            actions.mark(sagemaker, case.arn, value)


def _report_once(clients: actions.Clients, case: Case, action: str = "reported") -> str | None:
    """Report a resource left in place once per verdict: None when the enforcer's own marker says
    it already did; else mark it (enforce mode) and answer `action`."""
    if case.tags is None:
        case.tags = _tags(clients.sagemaker, case.target, case.arn)
    if _marker_found(clients, case, case.tags) == markers.CURRENT:
        return None
    if case.config.enforcing:
        _write_marker(clients.sagemaker, case, _marker_value(clients, case, MARK_REPORTED))
    return action


# --- responses ------------------------------------------------------------------------------------


def _respond_job(sagemaker, case: Case) -> str | None:
    """Stop a job (or a monitoring schedule). A stop that fails because it stopped or ended meanwhile
    is "already handled" or "finished_before_stop"; it is looked at again to tell."""
    target = case.target
    spec = rules.KINDS[target.kind]
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
        if status in spec.stopped:
            return None
        if status in spec.ended:
            return "finished_before_stop"
        raise
    return "stopped"


def _respond_notebook(clients: actions.Clients, case: Case) -> str | None:
    sagemaker = clients.sagemaker
    if case.phase == rules.RESTING:  # Stopped or Updating: report once, never touch
        return _report_once(clients, case)
    if not case.config.enforcing:
        return "would_stop"
    # Mark first: if the stop then fails, the retry still finds it running and stops it. A marker
    # that cannot be made (KMS) never holds the stop back: its Stopped event then reports it again.
    case.tags = _tags(sagemaker, case.target, case.arn)
    if _marker_found(clients, case, case.tags) != markers.CURRENT:
        try:
            value = _marker_value(clients, case, MARK_STOPPED)
        except ClientError as exc:
            log.warning(
                "marker_not_written", extra={"fields": {**_fields(case.target), "reason": actions.error_code(exc)}}
            )
            value = None
        _write_marker(sagemaker, case, value)
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


def _respond_model(clients: actions.Clients, case: Case) -> str | None:
    in_use = actions.endpoint_config_using(clients.sagemaker, case.target.name)
    if in_use:
        case.notes["in_use_by"] = in_use
        return _report_once(clients, case, "retained_in_use")
    if not case.config.enforcing:
        return "would_delete"
    actions.delete(clients.sagemaker, rules.MODEL, case.target.name)
    return "deleted"


def _respond_endpoint(clients: actions.Clients, case: Case) -> str | None:
    """The endpoint policy (module doc): delete an endpoint that escapes, unless it is Terraform's."""
    sagemaker, target = clients.sagemaker, case.target
    case.tags = _tags(sagemaker, target, case.arn)
    if rules.is_managed(case.tags):
        case.notes["managed_by"] = rules.MANAGED_TAG[1]
        return _report_once(clients, case, "retained_managed")
    if not case.config.enforcing:
        return "would_delete"
    try:
        actions.delete(sagemaker, rules.ENDPOINT, target.name)
    except ClientError as exc:
        if not actions.is_validation_error(exc):
            raise
        now = actions.describe(sagemaker, rules.ENDPOINT, target.name)
        if now is None:
            raise actions.Gone("delete_endpoint", actions.gone_form(exc)) from exc
        status = rules.status_of(rules.ENDPOINT, now)
        if status == "Deleting":
            return None
        if status in _ENDPOINT_IN_PROGRESS:
            return "delete_deferred"
        raise
    return "deleted"


def _respond_delete(sagemaker, case: Case) -> str | None:
    """Delete a Studio app (the user's files stay on the domain's home volume) or a model package
    registered with a validation job. A refused delete is raised, unless the resource is going
    already: no state change the enforcer follows would come back to either, so Lambda's retry is
    what tries again."""
    kind, name = case.target.kind, case.target.name
    if not case.config.enforcing:
        return "would_delete"
    try:
        actions.delete(sagemaker, kind, name)
    except ClientError as exc:
        if not actions.is_validation_error(exc):
            raise
        now = actions.describe(sagemaker, kind, name)
        if now is None:
            raise actions.Gone(f"delete_{kind.replace('-', '_')}", actions.gone_form(exc)) from exc
        if rules.phase(kind, now) == rules.ENDED:
            return None
        raise
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
        # The person, where the caller's session names one (a Studio user's profile).
        "source_identity": target.source_identity,
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
    fields = {**result, "caller": case.target.caller, "source_identity": case.target.source_identity}
    log.log(level, "decision", extra={"fields": {**fields, "details": details}})
    return result
