import pulumi


def resource_name(component: str) -> str:
    return f"{pulumi.get_project()}-{pulumi.get_stack()}-{component}"


def standard_tags(owner: str) -> dict:
    return {"owner": owner, "stack": pulumi.get_stack(), "managed-by": "pulumi"}
