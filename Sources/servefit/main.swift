import ArgumentParser
import ServefitStore
print(StoreProbe.count)
