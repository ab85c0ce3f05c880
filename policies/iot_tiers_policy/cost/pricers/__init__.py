"""One module per AWS service, each registering the pricers of its resource types.

See :mod:`..registry`: a module decorates a function ``(node, ctx) -> Priced`` with
``@pricer("aws:<service>/<resource>:<Type>", usage=[...])`` and names the types of
its service AWS does not bill by themselves with ``free(reason, *types)``. The
estimator imports every module here, so a new service is a new module.
"""
