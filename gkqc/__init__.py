"""gkqc: data-quality checks for government information disclosure annual reports."""
