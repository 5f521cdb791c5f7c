"""SES's SMTP interface: the password derivation, the endpoints and ports, the app's SMTP
settings, offline forensics and a bounded live probe that never sends mail.

Standard library only (no boto3, no Textual): ``derive`` and ``endpoints`` are pure,
``forensics`` never touches the network, ``probe`` opens TCP/TLS/SMTP connections with a
deadline on each step and on the whole.
"""
