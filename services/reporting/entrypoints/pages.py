"""Placeholder until the HTML pages are written (another helper replaces this file)."""


def install_report_pages(app, admin_token, reports):
    pass
