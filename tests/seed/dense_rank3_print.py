from keras import layers
input1 = layers.Input((2,3))
output = layers.Dense(4)(input1)
print(output)
