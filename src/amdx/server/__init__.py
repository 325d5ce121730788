"""The live exercise server: seats with tokens, an engine paced to the wall clock, HTTP and WebSocket feeds
(`docs/server-protocol.md`)."""
