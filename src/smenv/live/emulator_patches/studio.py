"""SageMaker Studio: what modules/studio applies."""

from __future__ import annotations

from smenv.live.emulator_patches import patch
from smenv.live.emulator_patches._moto import (
    _add_operations,
    _install,
    _sagemaker_arn,
    _sagemaker_kept,
    _SageMakerResource,
    _studio_kept,
)

# --- SageMaker Studio: what modules/studio applies -----------------------------------------------
# moto 5.2.5 answers CreateDomain and DescribeDomain only: no user profiles, spaces or Studio
# lifecycle configurations (a 500 each), a missing domain is a ValidationException where AWS answers
# ResourceNotFound (the provider's wait for a deleted domain fails on it), and the tag calls crash on
# a profile's or a space's three-part ARN. The patches below keep profiles, spaces and lifecycle
# configurations beside moto's backend (backend.smenv_studio), each as its Describe* answer with its
# tags; a profile or space is created InService in an existing domain and is gone once deleted.


def _studio_domain(response, domain_id: str | None):
    """The domain a profile or space belongs to, or the ResourceNotFound AWS answers."""
    from moto.sagemaker.exceptions import ResourceNotFound

    domain = response.sagemaker_backend.domains.get(domain_id or "")
    if domain is None:
        raise ResourceNotFound(f"Domain '{domain_id}' does not exist.")
    return domain


def _studio_member_create(response, kind: str, name_param: str, answer: dict) -> str:
    """Keep a new profile or space of an existing domain (ResourceInUse when the name is taken)."""
    from moto.core.utils import utcnow
    from moto.sagemaker.exceptions import ResourceInUseException

    domain_id = response._get_param("DomainId")
    _studio_domain(response, domain_id)
    name = response._get_param(name_param)
    kept = _studio_kept(response)[kind]
    if (domain_id, name) in kept:
        raise ResourceInUseException(f"Resource Already Exists: {kind} with name {name} already exists.")
    arn = _sagemaker_arn(response, kind, f"{domain_id}/{name}")
    now = utcnow()
    arn_field = "UserProfileArn" if kind == "user-profile" else "SpaceArn"
    full = {
        "DomainId": domain_id,
        arn_field: arn,
        name_param: name,
        "HomeEfsFileSystemUid": "200001",
        "Status": "InService",
        "CreationTime": now,
        "LastModifiedTime": now,
        **answer,
    }
    kept[(domain_id, name)] = _SageMakerResource(
        {k: v for k, v in full.items() if v is not None}, response._get_param("Tags")
    )
    return arn


def _studio_member(response, kind: str, name_param: str) -> _SageMakerResource:
    from moto.sagemaker.exceptions import ResourceNotFound

    key = (response._get_param("DomainId"), response._get_param(name_param))
    resource = _studio_kept(response)[kind].get(key)
    if resource is None:
        noun = "User profile" if kind == "user-profile" else "Space"
        raise ResourceNotFound(f"{noun} '{_sagemaker_arn(response, kind, '/'.join(map(str, key)))}' does not exist.")
    return resource


@patch(
    gap="no Studio user profiles: `Create/Describe/Update/DeleteUserProfile` fail (500)",
    effect="`modules/studio` cannot make a team's profile",
)
def sagemaker_studio_user_profiles() -> None:
    """moto has no Studio user profiles: CreateUserProfile, DescribeUserProfile, UpdateUserProfile,
    DeleteUserProfile fail (500). modules/studio makes one per team. Here a profile is created
    InService in an existing domain (ResourceNotFound otherwise; ResourceInUse for a name taken),
    keeps its UserSettings (UpdateUserProfile replaces them), and is gone once deleted
    (ResourceNotFound after, which the provider's wait looks for)."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow
    from moto.sagemaker.responses import SageMakerResponse

    def create_user_profile(self):
        answer = {
            "UserSettings": self._get_param("UserSettings"),
            "SingleSignOnUserIdentifier": self._get_param("SingleSignOnUserIdentifier"),
            "SingleSignOnUserValue": self._get_param("SingleSignOnUserValue"),
        }
        return ActionResult({"UserProfileArn": _studio_member_create(self, "user-profile", "UserProfileName", answer)})

    def describe_user_profile(self):
        return ActionResult(dict(_studio_member(self, "user-profile", "UserProfileName").answer))

    def update_user_profile(self):
        resource = _studio_member(self, "user-profile", "UserProfileName")
        if self._get_param("UserSettings") is not None:
            resource.answer["UserSettings"] = self._get_param("UserSettings")
        resource.answer["LastModifiedTime"] = utcnow()
        return ActionResult({"UserProfileArn": resource.answer["UserProfileArn"]})

    def delete_user_profile(self):
        _studio_member(self, "user-profile", "UserProfileName")
        del _studio_kept(self)["user-profile"][(self._get_param("DomainId"), self._get_param("UserProfileName"))]
        return EmptyResult()

    _add_operations(
        SageMakerResponse,
        "sagemaker_studio_user_profiles",
        [create_user_profile, describe_user_profile, update_user_profile, delete_user_profile],
    )


@patch(
    gap="no Studio spaces: `Create/Describe/Update/DeleteSpace` fail (500)",
    effect="a team's private space cannot be made",
)
def sagemaker_studio_spaces() -> None:
    """moto has no Studio spaces: CreateSpace, DescribeSpace, UpdateSpace, DeleteSpace fail (500).
    modules/studio makes a private space per team. Here a space is created InService in an existing
    domain, owned by one of its profiles when OwnershipSettings names one (ResourceNotFound for a
    missing domain or owner), keeps its settings (UpdateSpace replaces SpaceSettings and the display
    name, as the API reference says), and is gone once deleted."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow
    from moto.sagemaker.exceptions import ResourceNotFound
    from moto.sagemaker.responses import SageMakerResponse

    def create_space(self):
        domain_id = self._get_param("DomainId")
        owner = (self._get_param("OwnershipSettings") or {}).get("OwnerUserProfileName")
        if owner is not None and (domain_id, owner) not in _studio_kept(self)["user-profile"]:
            raise ResourceNotFound(f"User profile '{owner}' does not exist in domain '{domain_id}'.")
        name = self._get_param("SpaceName")
        answer = {
            "SpaceSettings": self._get_param("SpaceSettings"),
            "OwnershipSettings": self._get_param("OwnershipSettings"),
            "SpaceSharingSettings": self._get_param("SpaceSharingSettings"),
            "SpaceDisplayName": self._get_param("SpaceDisplayName"),
            "Url": f"https://{domain_id}.studio.{self.region}.sagemaker.aws/jupyterlab/default/spaces/{name}",
        }
        return ActionResult({"SpaceArn": _studio_member_create(self, "space", "SpaceName", answer)})

    def describe_space(self):
        return ActionResult(dict(_studio_member(self, "space", "SpaceName").answer))

    def update_space(self):
        resource = _studio_member(self, "space", "SpaceName")
        for param in ("SpaceSettings", "SpaceDisplayName"):
            if self._get_param(param) is not None:
                resource.answer[param] = self._get_param(param)
        resource.answer["LastModifiedTime"] = utcnow()
        return ActionResult({"SpaceArn": resource.answer["SpaceArn"]})

    def delete_space(self):
        _studio_member(self, "space", "SpaceName")
        del _studio_kept(self)["space"][(self._get_param("DomainId"), self._get_param("SpaceName"))]
        return EmptyResult()

    _add_operations(
        SageMakerResponse, "sagemaker_studio_spaces", [create_space, describe_space, update_space, delete_space]
    )


@patch(
    gap="no Studio lifecycle configurations: `Create/Describe/DeleteStudioLifecycleConfig` fail (500)",
    effect="the domain's app scripts cannot be made",
)
def sagemaker_studio_lifecycle_configs() -> None:
    """moto has no Studio lifecycle configurations: CreateStudioLifecycleConfig,
    DescribeStudioLifecycleConfig, DeleteStudioLifecycleConfig fail (500). modules/studio makes the
    domain's JupyterLab and Code Editor ones. Here one keeps its content and app type as given
    (the provider reads the content back), a name taken is ResourceInUse, a missing one
    ResourceNotFound ("... does not exist", which the provider's delete looks for)."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow
    from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound
    from moto.sagemaker.responses import SageMakerResponse

    def find(self) -> _SageMakerResource:
        name = self._get_param("StudioLifecycleConfigName")
        resource = _studio_kept(self)["studio-lifecycle-config"].get(name)
        if resource is None:
            arn = _sagemaker_arn(self, "studio-lifecycle-config", name or "")
            raise ResourceNotFound(f"Studio lifecycle config '{arn}' does not exist.")
        return resource

    def create_studio_lifecycle_config(self):
        name = self._get_param("StudioLifecycleConfigName")
        kept = _studio_kept(self)["studio-lifecycle-config"]
        if name in kept:
            raise ResourceInUseException(f"Studio lifecycle config {name} already exists.")
        arn = _sagemaker_arn(self, "studio-lifecycle-config", name)
        now = utcnow()
        answer = {
            "StudioLifecycleConfigArn": arn,
            "StudioLifecycleConfigName": name,
            "CreationTime": now,
            "LastModifiedTime": now,
            "StudioLifecycleConfigContent": self._get_param("StudioLifecycleConfigContent"),
            "StudioLifecycleConfigAppType": self._get_param("StudioLifecycleConfigAppType"),
        }
        kept[name] = _SageMakerResource(answer, self._get_param("Tags"))
        return ActionResult({"StudioLifecycleConfigArn": arn})

    def describe_studio_lifecycle_config(self):
        return ActionResult(dict(find(self).answer))

    def delete_studio_lifecycle_config(self):
        find(self)
        del _studio_kept(self)["studio-lifecycle-config"][self._get_param("StudioLifecycleConfigName")]
        return EmptyResult()

    _add_operations(
        SageMakerResponse,
        "sagemaker_studio_lifecycle_configs",
        [create_studio_lifecycle_config, describe_studio_lifecycle_config, delete_studio_lifecycle_config],
    )


@patch(
    gap="`CreateDomain` answers no `DomainId`, and drops `TagPropagation`",
    effect="the provider waits on `DescribeDomain` of an empty id until it gives up (the studio unit cannot be "
    "applied), and every plan sets `tag_propagation` again",
)
def sagemaker_domain_answers() -> None:
    """moto's CreateDomain answers DomainArn and Url without the DomainId the API reference lists
    (the provider reads it, and waits on DescribeDomain of an empty id until it gives up), and
    drops TagPropagation, which DescribeDomain never shows (every plan sets it again). Here the
    create answers the id (the last part of the ARN) and the domain keeps its TagPropagation."""
    from moto.core.responses import ActionResult
    from moto.sagemaker.responses import SageMakerResponse

    def make_create(create_domain):
        def wrapped(self):
            answer = dict(create_domain(self).result)
            answer.setdefault("DomainId", str(answer.get("DomainArn", "")).rsplit("/", 1)[-1])
            domain = self.sagemaker_backend.domains.get(answer["DomainId"])
            if domain is not None and self._get_param("TagPropagation"):
                domain.smenv_tag_propagation = self._get_param("TagPropagation")
            return ActionResult(answer)

        return wrapped

    def make_describe(describe_domain):
        def wrapped(self):
            answer = dict(describe_domain(self).result)
            domain = self.sagemaker_backend.domains.get(self._get_param("DomainId"))
            if getattr(domain, "smenv_tag_propagation", None):
                answer["TagPropagation"] = domain.smenv_tag_propagation
            return ActionResult(answer)

        return wrapped

    _install(SageMakerResponse, "create_domain", make_create)
    _install(SageMakerResponse, "describe_domain", make_describe)


@patch(
    gap="a missing domain is a `ValidationException` where AWS answers `ResourceNotFound`",
    effect="the provider's wait for a deleted domain fails, so the studio unit cannot be destroyed",
)
def sagemaker_domain_not_found() -> None:
    """moto answers DescribeDomain and DeleteDomain of a missing domain with a ValidationException;
    AWS answers ResourceNotFound, which is what the provider's wait for a deleted domain looks for
    (on moto the destroy of a domain fails). Here a missing domain is ResourceNotFound."""
    from moto.sagemaker.exceptions import ResourceNotFound
    from moto.sagemaker.models import SageMakerModelBackend

    def make(method):
        def wrapped(self, domain_id, *args, **kwargs):
            if domain_id not in self.domains:
                raise ResourceNotFound(f"Domain '{domain_id}' does not exist.")
            return method(self, domain_id, *args, **kwargs)

        return wrapped

    _install(SageMakerModelBackend, "describe_domain", make)
    _install(SageMakerModelBackend, "delete_domain", make)


@patch(
    gap="tag calls crash on a profile's or space's ARN and know no Studio lifecycle configuration (500)",
    effect="the provider's default tags on them can be neither read nor written",
)
def sagemaker_tags_of_studio_kinds() -> None:
    """ListTags, AddTags and DeleteTags know no Studio user profile, space or lifecycle configuration
    (a profile's or space's ARN, <kind>/<domain>/<name>, crashes the lookup: 500): the provider reads
    and writes its default tags on each. Here their ARNs are known while the resource exists."""
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import SageMakerModelBackend

    arn_fields = {
        "user-profile": "UserProfileArn",
        "space": "SpaceArn",
        "studio-lifecycle-config": "StudioLifecycleConfigArn",
    }

    def make_lookup(lookup):
        def _get_resource_from_arn(self, arn: str):
            kind, _, rest = arn.rsplit(":", 1)[-1].partition("/")
            if kind in arn_fields:
                found = [r for r in _studio_kept(self)[kind].values() if r.answer[arn_fields[kind]] == arn]
                if found:
                    return found[0]
                raise ValidationError(f"Could not find {kind} with name {rest}")
            return lookup(self, arn)

        return _get_resource_from_arn

    _install(SageMakerModelBackend, "_get_resource_from_arn", make_lookup)


@patch(
    gap="no `ListUserProfiles`, `ListSpaces`, `ListApps` (500)",
    effect="`tools/sweep.py` cannot find what users made in Studio",
)
def sagemaker_studio_listings() -> None:
    """moto has no ListUserProfiles, ListSpaces or ListApps (500): tools/sweep.py lists what users
    made in Studio. Here each lists what the patches above keep, filtered by DomainIdEquals (and
    UserProfileNameEquals / SpaceNameEquals for apps) as the API reference says, in one page: the
    summaries' shapes of the API reference (no ARN: the caller describes one for it)."""
    from moto.core.responses import ActionResult
    from moto.sagemaker.responses import SageMakerResponse

    summary_fields = {
        "user-profile": ("DomainId", "UserProfileName", "Status", "CreationTime", "LastModifiedTime"),
        "space": ("DomainId", "SpaceName", "Status", "CreationTime", "LastModifiedTime", "SpaceDisplayName"),
    }

    def members(self, kind: str) -> list[dict]:
        domain = self._get_param("DomainIdEquals")
        found = [r.answer for r in _studio_kept(self)[kind].values()]
        found = [a for a in found if domain in (None, a["DomainId"])]
        return [{k: a[k] for k in summary_fields[kind] if k in a} for a in found]

    def list_user_profiles(self):
        return ActionResult({"UserProfiles": members(self, "user-profile")})

    def list_spaces(self):
        return ActionResult({"Spaces": members(self, "space")})

    def list_apps(self):
        wanted = {
            "DomainId": self._get_param("DomainIdEquals"),
            "UserProfileName": self._get_param("UserProfileNameEquals"),
            "SpaceName": self._get_param("SpaceNameEquals"),
        }
        apps = [
            {k: v for k, v in r.answer.items() if k != "AppArn"}
            for r in _sagemaker_kept(self)["app"].values()
            if all(value is None or r.answer.get(field) == value for field, value in wanted.items())
        ]
        return ActionResult({"Apps": apps})

    _add_operations(SageMakerResponse, "sagemaker_studio_listings", [list_user_profiles, list_spaces, list_apps])
