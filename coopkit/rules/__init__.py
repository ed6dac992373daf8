"""Model rules: rule sets from rules_templates/, rendering, compliance and versions."""
