"""Channel adapters (web widget, email, phone, platforms): they parse the outside world and
call domain actions; they never write domain models themselves."""
