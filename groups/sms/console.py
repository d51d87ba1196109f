import sys
import uuid


class ConsoleBackend:
    """Development backend: prints that a message was sent, never its number or text."""

    def send(self, *, to: str, body: str) -> str:
        message_id = f"console-{uuid.uuid4()}"
        sys.stdout.write(
            f"[sms] {message_id}: {len(body)} characters to a number ending …{to[-2:]}\n"
        )
        return message_id
