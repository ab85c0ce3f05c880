def resource_name(site: str, purpose: str) -> str:
    return f"{site}-{purpose}"
