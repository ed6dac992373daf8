"""General meetings and AGMs: calling, notice, agenda, attendance, proxies, quorum, votes, minutes."""
