"""Package data: see the README's layout table (installed as `annexkit.forms`)."""
