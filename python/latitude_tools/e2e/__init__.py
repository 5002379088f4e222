"""The end-to-end test harness: a real server, protocol clients, a browser."""
