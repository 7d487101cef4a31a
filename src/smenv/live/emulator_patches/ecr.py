"""ECR: what tools/promote_model.py meets when it copies a custom image between accounts."""

from __future__ import annotations

from smenv.live.emulator_patches import patch
from smenv.live.emulator_patches._moto import (
    _install,
)

# --- ECR: what tools/promote_model.py meets when it copies a custom image between accounts ----------

# The emulator's stand-in for ECR's presigned layer URLs (S3 in AWS): a plain GET on the ECR
# endpoint itself. The path starts /ecr_<region>/ so that moto's server routes an unsigned GET to ECR.
ECR_LAYER_PATH = "/ecr_{region}/smenv-layer/{account}/{digest}"


def _ecr_layers(repository) -> dict[str, bytes]:
    """The bytes of each layer (and config blob) a moto repository holds, by digest."""
    if not hasattr(repository, "smenv_layer_bytes"):
        repository.smenv_layer_bytes = {}
    return repository.smenv_layer_bytes


def _serve_ecr_layer(request, full_url: str, headers) -> tuple[int, dict, bytes]:
    """GET <ECR endpoint>/ecr_<region>/smenv-layer/<account>/<digest>?repository=<name>: the layer."""
    from urllib.parse import parse_qs, urlsplit

    from moto.ecr.models import ecr_backends

    parts = urlsplit(full_url)
    _, service_region, _, account, digest = parts.path.split("/", 4)
    region = service_region.removeprefix("ecr_")
    repository = ecr_backends[account][region].repositories.get(parse_qs(parts.query).get("repository", [""])[0])
    data = _ecr_layers(repository).get(digest) if repository is not None else None
    if data is None:
        return 404, {"Content-Type": "text/plain"}, b"NoSuchKey"
    return 200, {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))}, data


@patch(
    gap="no `GetDownloadUrlForLayer`, and `CompleteLayerUpload` keeps only a layer's size",
    effect="a pushed image cannot be pulled, so `tools/promote_model.py` cannot copy one (the patch serves "
    "each layer at a URL on the emulator, as AWS serves a presigned one)",
)
def ecr_layer_downloads() -> None:
    """moto has no GetDownloadUrlForLayer (NotImplementedError), and CompleteLayerUpload keeps only
    a layer's size: nothing pushed can be pulled, so promote_model cannot copy an image. Here a
    completed layer keeps its bytes and GetDownloadUrlForLayer answers a URL that serves them (AWS
    answers a presigned S3 URL); a layer the repository does not hold is LayersNotFoundException,
    as in AWS."""
    from urllib.parse import quote, urlsplit

    from moto.core.exceptions import JsonRESTError
    from moto.ecr import urls
    from moto.ecr.models import ECRBackend
    from moto.ecr.responses import ECRResponse

    def make_complete(complete):
        def complete_layer_upload(self, repository_name, upload_id, layer_digests, registry_id=None):
            repository = self._get_repository(repository_name, registry_id)
            upload = repository.uploads.get(upload_id)
            data = bytes(upload.layer_parts) if upload is not None else None
            result = complete(self, repository_name, upload_id, layer_digests, registry_id=registry_id)
            if data is not None:
                _ecr_layers(repository)[result["layerDigest"]] = data
            return result

        return complete_layer_upload

    def make_download(_missing):
        def get_download_url_for_layer(self):
            from moto.core.responses import ActionResult

            name, digest = self._get_param("repositoryName"), self._get_param("layerDigest")
            repository = self.ecr_backend._get_repository(name, self._get_param("registryId"))
            if digest not in _ecr_layers(repository):
                raise JsonRESTError(
                    "LayersNotFoundException",
                    f"The specified layers {digest} could not be found in repository {name}",
                )
            base = urlsplit(self.uri)
            path = ECR_LAYER_PATH.format(region=self.region, account=repository.registry_id, digest=digest)
            url = f"{base.scheme}://{base.netloc}{path}?repository={quote(name, safe='')}"
            return ActionResult({"downloadUrl": url, "layerDigest": digest})

        return get_download_url_for_layer

    _install(ECRBackend, "complete_layer_upload", make_complete)
    _install(ECRResponse, "get_download_url_for_layer", make_download)
    route = "{0}/ecr_(?P<region>[a-z0-9-]+)/smenv-layer/(?P<account>[0-9]+)/(?P<digest>sha256:[a-f0-9]+)$"
    urls.url_paths.setdefault(route, _serve_ecr_layer)


@patch(
    gap="a `registryId` naming another account is ignored: every ECR call answers from the caller's own registry",
    effect="the target's promotion role cannot read dev's repositories",
)
def ecr_cross_account_registry() -> None:
    """moto answers every ECR call from the caller's own registry: a registryId naming another
    account is ignored, so the target's promotion role cannot read dev's repositories (AWS answers
    from that registry, as the repository policy allows; the emulator evaluates no policy). Here a
    registryId picks that account's registry."""
    from moto.ecr.models import ecr_backends
    from moto.ecr.responses import ECRResponse

    current = ECRResponse.__dict__["ecr_backend"]
    if getattr(current.fget, "_smenv_cross_account", False):
        return

    def ecr_backend(self):
        registry = self._get_param("registryId")
        account = registry if registry and registry.isdigit() and len(registry) == 12 else self.current_account
        return ecr_backends[account][self.region]

    ecr_backend._smenv_cross_account = True
    ECRResponse.ecr_backend = property(ecr_backend)
