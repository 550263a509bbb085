"""Turn the protocol's source keys into readable citations for the pages."""

from needlechart.protocol import default_protocol


def cite(keys: list[str] | None) -> list[str]:
    """ "[S40] Goodman GJ, Baron JA ..." for each key. A key the current protocol no longer
    knows (a record made under an older version) is shown bare rather than dropped."""
    sources = default_protocol().document.sources
    return [f"[{key}] {sources[key]}" if key in sources else f"[{key}]" for key in keys or []]
