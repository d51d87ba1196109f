class LocmemBackend:
    """Test backend: keeps messages in `outbox`, like Django's locmem email backend."""

    outbox: list[dict] = []

    def send(self, *, to: str, body: str) -> str:
        self.outbox.append({"to": to, "body": body})
        return f"locmem-{len(self.outbox)}"
