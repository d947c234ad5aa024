"""The second factor (issue 6): a code from an authenticator app after the password.

Who must use it is ``planning.access.requires_second_factor``; django-otp keeps the devices
(``otp_totp`` for the app, ``otp_static`` for the recovery codes) and throttles failures.
"""
