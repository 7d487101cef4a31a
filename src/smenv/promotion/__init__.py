"""Promote an approved SageMaker model package from one account into another (tools/promote_model.py).

The pieces, each small and each taking its boto3 clients or sessions as arguments:

- arns      parse and check the ARNs and S3 URIs the tool is given or finds
- plan      pure decisions: the content hash, the target keys, single or multipart, part ranges,
            which checksum to ask S3 for and how a copy is verified, the approval status
- sessions  source and target credentials (profile, assumed role with refresh, or ambient)
- contract  the target environment's SSM contract (promotion/*, network/*, endpoints/*)
- integrity is the source still what was approved: recorded ETags, SHA-256s and image digests checked
            before anything is copied; what a promoted package records for the next promotion
- copy      server-side copies (CopyObject, parallel UploadPartCopy), verification, clean-up
- images    container images: keep AWS-owned and target-account ones, copy source-account ones into
            the target's ECR pinned by digest (ECR API, streamed, SHA-256 checked), refuse the rest
- registry  the source package, the promoted package in the target group, idempotency
- endpoint  a model and a new endpoint configuration (production or shadow), UpdateEndpoint
- progress  the bytes-copied bar on stderr
"""

from __future__ import annotations

# Exit codes other tooling relies on.
EXIT_OK = 0
EXIT_AWS_FAILURE = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3


class Refused(Exception):
    """The promotion is refused on purpose (source not Approved, a conflicting promotion exists...).
    Nothing was changed. Exit 3."""


class PromotionFailed(Exception):
    """An AWS step failed or a copy did not verify; the target was put back as it was. Exit 1."""
