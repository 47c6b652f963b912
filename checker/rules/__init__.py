"""The rules: each declared once (code, severity, scope, title, description, message)."""
