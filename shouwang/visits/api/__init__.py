"""The visits API: visits and schedules, quarterly review cycles, responsibility and
guardianship confirmations, each a router mounted by shouwang.api."""
