print("latitude")
