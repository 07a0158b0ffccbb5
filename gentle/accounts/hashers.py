"""How passwords are stored: Argon2id with parameters chosen on purpose (ADR 0025).

Django's Argon2 defaults (100 MiB, 2 passes, 8 lanes) cost about 1.3 s of CPU and 100 MiB per
sign-in on a small server: a handful of people signing in at 9 o'clock would queue each other
and could exhaust memory. OWASP's password storage guidance lists equivalent Argon2id settings;
Gentle uses its first: 19 MiB of memory, 2 passes, 1 lane. The name stays ``argon2``, so hashes
made with other parameters still verify, and are re-made with these at the person's next
sign-in (``must_update``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
