"""An email backend for the benchmark and the fault tests: it plays the provider.

Each accepted message is built as a MIME message (as Django's locmem backend does)
and its reminder row id is appended as one line to KINDRED_COUNTING_EMAIL_FILE,
with O_APPEND so several worker processes can share the file. That file is the
provider's record: an id on two lines is a duplicate, an id missing is a loss.
No address or text is written. KINDRED_COUNTING_EMAIL_DELAY (seconds) slows each
message to widen the window a fault can land in.
"""

import os
import time

from django.core.mail.backends.base import BaseEmailBackend


class FileCountingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        path = os.environ["KINDRED_COUNTING_EMAIL_FILE"]
        delay = float(os.environ.get("KINDRED_COUNTING_EMAIL_DELAY", "0") or 0)
        lines = []
        for message in email_messages:
            message.message()  # build the MIME message, as Django's locmem backend does
            lines.append(f"{message.extra_headers.get('X-Kindred-Reminder', '-')}\n")
            if delay:
                time.sleep(delay)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, "".join(lines).encode())
        finally:
            os.close(fd)
        return len(email_messages)
