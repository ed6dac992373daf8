"""The co-op workspace: creating a co-op, invitations, joining and leaving, the home page."""
