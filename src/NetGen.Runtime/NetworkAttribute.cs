using System;

namespace NetGen;

/// <summary>
/// Compiles a network into members of the attributed <c>static partial class</c>:
/// <c>InputSize</c>, <c>OutputSize</c>, <c>ParameterCount</c>, <c>Forward</c>,
/// <c>ForwardBatch</c> and the <c>Cache</c> struct. The network is described either by a
/// <c>*.netgen.json</c> file (<see cref="NetworkAttribute(string)"/>) or by layer attributes
/// on the class itself (<see cref="NetworkAttribute(int)"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>A network described by a JSON file.</summary>
    /// <remarks>
    /// The file must be an <c>AdditionalFiles</c> item of the project. <paramref name="path"/>
    /// is matched against the end of each item's full path at a folder boundary, with either
    /// slash: <c>"models/mnist.netgen.json"</c> binds <c>C:\src\app\models\mnist.netgen.json</c>.
    /// Exactly one item must match.
    /// </remarks>
    /// <param name="path">The description's path, relative to the project (a unique suffix is enough).</param>
    public NetworkAttribute(string path) => Path = path;

    /// <summary>
    /// A network described by the layer attributes that follow on the same class, in
    /// declaration order (<see cref="LinearAttribute"/>, <see cref="ReluAttribute"/>, ...).
    /// </summary>
    /// <param name="input">The number of input features of one sample.</param>
    public NetworkAttribute(int input) => Input = input;

    /// <summary>The description's path, for a network described by a file.</summary>
    public string? Path { get; }

    /// <summary>The input size, for a network described by attributes.</summary>
    public int Input { get; }

    /// <summary>
    /// How linear layers become code; <see cref="NetworkStrategy.Auto"/> (the default) lets
    /// NetGen choose per layer. Overrides a description's <c>"strategy"</c> key.
    /// </summary>
    public NetworkStrategy Strategy { get; set; }

    /// <summary>
    /// Which linear layers a GPU session (<c>CreateGpuSession</c>, generated when the project
    /// references NetGen.Gpu) runs on the device. Overrides a description's <c>"gpu"</c> key; a
    /// layer's own <c>Gpu</c> setting overrides both.
    /// </summary>
    public GpuLayers Gpu { get; set; }

    /// <summary>
    /// The weights a linear layer needs to run on the device under <see cref="GpuLayers.Large"/>
    /// (default 1,048,576). Overrides a description's <c>"gpu_min_weights"</c> key.
    /// </summary>
    public long GpuMinWeights { get; set; }

    /// <summary>
    /// Also generates a trainable <c>Model</c>: the parameters in one mutable buffer, initialised
    /// from the description, with <c>ForwardBatch</c> into a <c>BatchCache</c>, the backward pass
    /// <c>BackwardBatch</c>, and <c>ToDescription()</c>, which writes the trained weights back out
    /// (see the README's Training section). The static inference API is unchanged.
    /// </summary>
    public bool Trainable { get; set; }
}

/// <summary>Which linear layers of a network a GPU session runs on the device.</summary>
public enum GpuLayers
{
    /// <summary>Only layers marked <c>Gpu = true</c> (or <c>"gpu": true</c>); with none, no GPU session is generated.</summary>
    None,

    /// <summary>Layers with at least <see cref="NetworkAttribute.GpuMinWeights"/> weights, and marked ones.</summary>
    Large,

    /// <summary>Every linear layer not marked <c>Gpu = false</c>.</summary>
    All,
}

/// <summary>How NetGen turns a network's linear layers into code.</summary>
public enum NetworkStrategy
{
    /// <summary>
    /// Per layer, by its number of multiply-adds: unrolled scalar code for layers of at most 48,
    /// vectorized loops above that, and kernel calls for layers whose weights are in a file (the
    /// measurements behind the choice are in the README's performance section).
    /// </summary>
    Auto,

    /// <summary>Every linear layer as straight-line scalar code with its weights as literals.</summary>
    Unrolled,

    /// <summary>Every linear layer as a call into the runtime's packed SIMD kernels.</summary>
    Kernel,

    /// <summary>
    /// Every linear layer as a generated SIMD loop (<c>Vector512</c>, <c>Vector256</c> or
    /// <c>Vector128</c>, and scalar code without SIMD) over its weights packed at build time,
    /// with the layer's sizes as constants. It gives the same bits as <see cref="Kernel"/>.
    /// </summary>
    Vectorized,
}
