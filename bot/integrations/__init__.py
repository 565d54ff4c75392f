"""Senders that talk to systems other than Slack: Kintone (REST) and e-mail (SMTP)."""
