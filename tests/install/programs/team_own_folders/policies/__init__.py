"""The team's tagging rules: a plain package, not a policy pack."""

REQUIRED_TAGS = ("owner", "site")


def tags_for(site: str) -> dict:
    return {"owner": "fleet-ops", "site": site}
