namespace NetGen.Tests.EndToEnd;

/// <summary>The spec example in the attribute form.</summary>
[Network(input: 2)]
[Linear(3, "1 0; 0 1; -1 1", Activation = Activation.Relu)]
[Linear(2, "1 -1 0; 0 1 -1", Activation = Activation.Relu)]
[Linear(1, "2 -1", Activation = Activation.Sigmoid)]
public static partial class LessonAttributes;

/// <summary>W1 = [[2,0],[0,-1]], b1 = [0,1], ReLU, W2 = [[1,1]], b2 = [-1], with separate layers and names.</summary>
[Network(input: 2)]
[Linear(2, "2 0; 0 -1", Bias = "0 1", Name = "hidden")]
[Relu(Name = "active")]
[Linear(1, "1 1", Bias = "-1", Name = "result")]
public static partial class ReluBiasAttributes;

/// <summary>The attribute form with a trainable Model: separate layers, names, a leaky ReLU.</summary>
[Network(input: 2, Trainable = true)]
[Linear(2, "2 0; 0 -1", Bias = "0 1", Name = "hidden")]
[LeakyRelu(Alpha = 0.2f)]
[Linear(1, "1 1", Bias = "-1", Name = "result")]
public static partial class TrainableAttributes;
