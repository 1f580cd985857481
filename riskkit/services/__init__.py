"""Operations that change data or gather it for a face (web, CLI, reports)."""
