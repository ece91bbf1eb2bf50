bob profile
