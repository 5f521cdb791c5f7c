"""SES regions (commercial partition) and which of them are opt-in.

Static on purpose: importing botocore's endpoint data costs start-up time, and a
test checks this list against botocore's so it cannot silently go stale.
"""

from __future__ import annotations

SES_REGIONS: tuple[str, ...] = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "af-south-1",
    "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-south-1", "ap-south-2",
    "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
    "ca-central-1", "ca-west-1",
    "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
    "eu-west-1", "eu-west-2", "eu-west-3",
    "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
    "sa-east-1",
)  # fmt: skip

# Regions an account must enable before use (AWS "opt-in regions").
OPT_IN_REGIONS: frozenset[str] = frozenset(
    {
        "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3",
        "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
        "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1",
        "me-central-1", "me-south-1", "mx-central-1",
    }
)  # fmt: skip

#: The region IAM and global STS calls are signed for (their endpoints are global; the one
#: definition every probe, plan and fix uses).
DEFAULT_STS_REGION = "us-east-1"


def is_ses_region(region: str) -> bool:
    return region in SES_REGIONS


def closest_region_names(region: str, limit: int = 3) -> list[str]:
    """SES regions that look like a mistyped ``region`` (for the evidence line)."""
    import difflib

    return difflib.get_close_matches(region.strip().lower(), SES_REGIONS, n=limit, cutoff=0.6)
