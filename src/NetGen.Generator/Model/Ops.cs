using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen.Generator.Model;

/// <summary>
/// The op catalogue: every op of the format, once, with everything each stage needs to know of
/// it. Readers take their op tables and key lists from it, the checker its value rules, the
/// planner its fusion and batching rules, and the emitters its notation and calls.
/// </summary>
/// <remarks>
/// <para>
/// Adding an activation is one <see cref="ActivationOp"/> here (and in <see cref="Activations"/>),
/// its runtime kernel (a span form, and a one-value form if unrolled layers may call it), and its
/// tests. Structural ops (linear, the norms, residual, swiglu) have code of their own in each
/// stage; the catalogue holds their names and keys (<see cref="Layers"/>) so that readers and
/// messages agree.
/// </para>
/// <para>
/// Notation: the math in comments writes an activation as its format name applied to the
/// tensor (<c>A1 = relu(Z1)</c>), with the definition on the step's own comment line.
/// </para>
/// </remarks>
internal static class Ops
{
    private const string Runtime = "global::NetGen.Runtime";

    private static readonly OpParameter Alpha = new("alpha", "Alpha", 0.01f, ParameterRule.Finite);
    private static readonly OpParameter DropoutP = new("p", "P", 0f, ParameterRule.Probability, Computes: false);
    private static readonly OpParameter EluAlpha = new("alpha", "Alpha", 1f, ParameterRule.Finite);
    private static readonly OpParameter SoftplusBeta = new("beta", "Beta", 1f, ParameterRule.Positive);
    private static readonly OpParameter SoftplusThreshold = new("threshold", "Threshold", 20f, ParameterRule.Finite);
    private static readonly OpParameter HardAlpha = new("alpha", "Alpha", 1f / 6f, ParameterRule.Finite);
    private static readonly OpParameter HardBeta = new("beta", "Beta", 0.5f, ParameterRule.Finite);
    private static readonly OpParameter ClipMin = new("min", "Min", float.NegativeInfinity, ParameterRule.Finite);
    private static readonly OpParameter ClipMax = new("max", "Max", float.PositiveInfinity, ParameterRule.Finite);

    public static readonly ActivationOp Identity = new(
        name: "identity",
        forms: new[] { new OpForm("identity", "Identity"), new OpForm("dropout", "Dropout", DropoutP) },
        definition: (x, _) => x,
        scalar: (v, _) => v,
        span: (x, y, _) => $"{Runtime}.Elementwise.Copy({x}, {y})",
        derivative: "{dx} = {dy}",
        gradient: g => $"{Runtime}.Gradients.Identity({g.Dy}, {g.Dx}, {g.Accumulate})",
        elementwise: true,
        gpuStep: (x, y, where) => $"session.Activation({x}, {y}, global::NetGen.Gpu.GpuActivation.None, 0f, onDevice: {where})");

    public static readonly ActivationOp Relu = new(
        name: "relu",
        forms: new[] { new OpForm("relu", "Relu") },
        definition: (x, _) => $"max(0, {x})",
        scalar: (v, _) => $"{Runtime}.SpecialFunctions.Relu({v})",
        span: (x, y, _) => $"{Runtime}.Activations.Relu({x}, {y})",
        derivative: "{dx} = {dy} ⊙ ({x} > 0)",
        gradient: g => $"{Runtime}.Gradients.Relu({g.X}, {g.Dy}, {g.Dx}, {g.Accumulate})",
        elementwise: true,
        epilogue: "Relu",
        gpu: "Relu");

    public static readonly ActivationOp LeakyRelu = new(
        name: "leaky_relu",
        forms: new[] { new OpForm("leaky_relu", "LeakyRelu", Alpha) },
        definition: (x, a) => $"{x} ≥ 0 ? {x} : {a[0]} · {x}",
        scalar: (v, a) => $"{Runtime}.SpecialFunctions.LeakyRelu({v}, {a[0]})",
        span: (x, y, a) => $"{Runtime}.Activations.LeakyRelu({x}, {y}, {a[0]})",
        derivative: "{dx} = {x} > 0 ? {dy} : α · {dy}",
        gradient: g => $"{Runtime}.Gradients.LeakyRelu({g.X}, {g.Dy}, {g.Dx}, {g.Arguments[0]}, {g.Accumulate})",
        elementwise: true,
        gpu: "LeakyRelu");

    public static readonly ActivationOp Gelu = new(
        name: "gelu",
        forms: new[] { new OpForm("gelu", "Gelu") { Variant = new OpVariant("approximate", "none", "TanhApproximation", false) } },
        definition: (x, _) => $"{x} · Φ({x}),  Φ(v) = ½ (1 + erf(v / √2))",
        scalar: (v, _) => $"{Runtime}.Activations.Gelu({v})",
        span: (x, y, _) => $"{Runtime}.Activations.Gelu({x}, {y})",
        derivative: "{dx} = {dy} ⊙ (Φ({x}) + {x} ⊙ φ({x}))",
        gradient: g => $"{Runtime}.Gradients.Gelu({g.X}, {g.Dy}, {g.Dx}, {g.Accumulate})",
        elementwise: true,
        epilogue: "Gelu",
        gpu: "Gelu");

    public static readonly ActivationOp GeluTanh = new(
        name: "gelu_tanh",
        forms: new[] { new OpForm("gelu", "Gelu") { Variant = new OpVariant("approximate", "tanh", "TanhApproximation", true) } },
        definition: (x, _) => $"½ {x} (1 + tanh(√(2/π) ({x} + 0.044715 {x}³)))",
        scalar: (v, _) => $"{Runtime}.Activations.GeluTanh({v})",
        span: (x, y, _) => $"{Runtime}.Activations.GeluTanh({x}, {y})",
        derivative: "{dx} = {dy} ⊙ (½(1 + t) + ½ {x} (1 − t²) √(2/π) (1 + 3 · 0.044715 {x}²)),  t = tanh(√(2/π) ({x} + 0.044715 {x}³))",
        gradient: g => $"{Runtime}.Gradients.GeluTanh({g.X}, {g.Dy}, {g.Dx}, {g.Accumulate})",
        elementwise: true,
        epilogue: "GeluTanh",
        gpu: "GeluTanh");

    public static readonly ActivationOp Silu = new(
        name: "silu",
        forms: new[] { new OpForm("silu", "Silu"), new OpForm("swish", null) },
        definition: (x, _) => $"{x} · sigmoid({x})",
        scalar: (v, _) => $"{Runtime}.SpecialFunctions.Silu({v})",
        span: (x, y, _) => $"{Runtime}.Activations.Silu({x}, {y})",
        derivative: "{dx} = {dy} ⊙ s ⊙ (1 + {x} ⊙ (1 − s)),  s = sigmoid({x})",
        gradient: g => $"{Runtime}.Gradients.Silu({g.X}, {g.Dy}, {g.Dx}, {g.Accumulate})",
        elementwise: true,
        epilogue: "Silu",
        gpu: "Silu");

    public static readonly ActivationOp Sigmoid = new(
        name: "sigmoid",
        forms: new[] { new OpForm("sigmoid", "Sigmoid") },
        definition: (x, _) => $"sigmoid({x}) = 1 / (1 + e^(−{x}))",
        scalar: (v, _) => $"{Runtime}.SpecialFunctions.Sigmoid({v})",
        span: (x, y, _) => $"{Runtime}.Activations.Sigmoid({x}, {y})",
        derivative: "{dx} = {dy} ⊙ {y} ⊙ (1 − {y})",
        gradient: g => $"{Runtime}.Gradients.Sigmoid({g.Y}, {g.Dy}, {g.Dx}, {g.Accumulate})",
        elementwise: true,
        epilogue: "Sigmoid",
        gpu: "Sigmoid");

    public static readonly ActivationOp Tanh = new(
        name: "tanh",
        forms: new[] { new OpForm("tanh", "Tanh") },
        definition: (x, _) => $"tanh({x})",
        scalar: (v, _) => $"{Runtime}.Activations.Tanh({v})",
        span: (x, y, _) => $"{Runtime}.Activations.Tanh({x}, {y})",
        derivative: "{dx} = {dy} ⊙ (1 − {y}²)",
        gradient: g => $"{Runtime}.Gradients.Tanh({g.Y}, {g.Dy}, {g.Dx}, {g.Accumulate})",
        elementwise: true,
        epilogue: "Tanh",
        gpu: "Tanh");

    public static readonly ActivationOp Softmax = new(
        name: "softmax",
        forms: new[] { new OpForm("softmax", "Softmax") },
        definition: (x, _) => $"e^({x}ᵢ − max {x}) / Σⱼ e^({x}ⱼ − max {x})",
        scalar: null,
        span: (x, y, _) => $"{Runtime}.Activations.Softmax({x}, {y})",
        derivative: "{dx}ᵢ = {y}ᵢ ({dy}ᵢ − Σⱼ {dy}ⱼ {y}ⱼ)",
        gradient: g => $"{Runtime}.Gradients.Softmax({g.Y}, {g.Dy}, {g.Dx}, {g.Size}, {g.Accumulate})",
        elementwise: false,
        gpuStep: (x, y, where) => $"session.Softmax({x}, {y}, log: false, onDevice: {where})");

    public static readonly ActivationOp LogSoftmax = new(
        name: "log_softmax",
        forms: new[] { new OpForm("log_softmax", "LogSoftmax") },
        definition: (x, _) => $"{x}ᵢ − max {x} − log Σⱼ e^({x}ⱼ − max {x})",
        scalar: null,
        span: (x, y, _) => $"{Runtime}.Activations.LogSoftmax({x}, {y})",
        derivative: "{dx}ᵢ = {dy}ᵢ − e^({y}ᵢ) Σⱼ {dy}ⱼ",
        gradient: g => $"{Runtime}.Gradients.LogSoftmax({g.Y}, {g.Dy}, {g.Dx}, {g.Size}, {g.Accumulate})",
        elementwise: false,
        gpuStep: (x, y, where) => $"session.Softmax({x}, {y}, log: true, onDevice: {where})");

    public static readonly ActivationOp Elu = new(
        name: "elu",
        forms: new[] { new OpForm("elu", "Elu", EluAlpha) },
        definition: (x, a) => $"{x} > 0 ? {x} : {a[0]} · (e^{x} − 1)",
        scalar: (v, a) => $"{Runtime}.SpecialFunctions.Elu({v}, {a[0]})",
        span: (x, y, a) => $"{Runtime}.Activations.Elu({x}, {y}, {a[0]})",
        derivative: "{dx} = {x} > 0 ? {dy} : {dy} ⊙ ({y} + α)",
        gradient: g => $"{Runtime}.Gradients.Elu({g.X}, {g.Y}, {g.Dy}, {g.Dx}, {g.Arguments[0]}, {g.Accumulate})",
        elementwise: true,
        gpu: "Elu");

    public static readonly ActivationOp Selu = new(
        name: "selu",
        forms: new[] { new OpForm("selu", "Selu") },
        definition: (x, _) => $"λ · ({x} > 0 ? {x} : α · (e^{x} − 1)),  α = 1.6732632, λ = 1.0507010",
        scalar: (v, _) => $"{Runtime}.SpecialFunctions.Selu({v})",
        span: (x, y, _) => $"{Runtime}.Activations.Selu({x}, {y})",
        derivative: "{dx} = {x} > 0 ? λ {dy} : {dy} ⊙ ({y} + λα)",
        gradient: g => $"{Runtime}.Gradients.Selu({g.X}, {g.Y}, {g.Dy}, {g.Dx}, {g.Accumulate})",
        elementwise: true,
        gpu: "Selu");

    public static readonly ActivationOp Softplus = new(
        name: "softplus",
        forms: new[] { new OpForm("softplus", "Softplus", SoftplusBeta, SoftplusThreshold) },
        definition: (x, a) => $"{a[0]} {x} > {a[1]} ? {x} : log(1 + e^({a[0]} {x})) / {a[0]}",
        scalar: (v, a) => $"{Runtime}.SpecialFunctions.Softplus({v}, {a[0]}, {a[1]})",
        span: (x, y, a) => $"{Runtime}.Activations.Softplus({x}, {y}, {a[0]}, {a[1]})",
        derivative: "{dx} = β {x} > threshold ? {dy} : {dy} ⊙ sigmoid(β {x})",
        gradient: g => $"{Runtime}.Gradients.Softplus({g.X}, {g.Dy}, {g.Dx}, {g.Arguments[0]}, {g.Arguments[1]}, {g.Accumulate})",
        elementwise: true,
        gpu: "Softplus");

    public static readonly ActivationOp Mish = new(
        name: "mish",
        forms: new[] { new OpForm("mish", "Mish") },
        definition: (x, _) => $"{x} · tanh(softplus({x}))",
        scalar: (v, _) => $"{Runtime}.SpecialFunctions.Mish({v})",
        span: (x, y, _) => $"{Runtime}.Activations.Mish({x}, {y})",
        derivative: "{dx} = {dy} ⊙ (t + {x} ⊙ sigmoid({x}) ⊙ (1 − t²)),  t = tanh(softplus({x}))",
        gradient: g => $"{Runtime}.Gradients.Mish({g.X}, {g.Dy}, {g.Dx}, {g.Accumulate})",
        elementwise: true,
        gpu: "Mish");

    public static readonly ActivationOp HardSigmoid = new(
        name: "hard_sigmoid",
        forms: new[] { new OpForm("hard_sigmoid", "HardSigmoid", HardAlpha, HardBeta) },
        definition: (x, a) => $"max(0, min(1, {a[0]} · {x} + {a[1]}))",
        scalar: (v, a) => $"{Runtime}.SpecialFunctions.HardSigmoid({v}, {a[0]}, {a[1]})",
        span: (x, y, a) => $"{Runtime}.Activations.HardSigmoid({x}, {y}, {a[0]}, {a[1]})",
        derivative: "{dx} = 0 < α {x} + β < 1 ? α {dy} : 0",
        gradient: g => $"{Runtime}.Gradients.HardSigmoid({g.X}, {g.Dy}, {g.Dx}, {g.Arguments[0]}, {g.Arguments[1]}, {g.Accumulate})",
        elementwise: true,
        gpu: "HardSigmoid");

    public static readonly ActivationOp HardSwish = new(
        name: "hard_swish",
        forms: new[] { new OpForm("hard_swish", "HardSwish") },
        definition: (x, _) => $"{x} · min(max({x} + 3, 0), 6) / 6",
        scalar: (v, _) => $"{Runtime}.SpecialFunctions.HardSwish({v})",
        span: (x, y, _) => $"{Runtime}.Activations.HardSwish({x}, {y})",
        derivative: "{dx} = {x} < −3 ? 0 : {x} ≤ 3 ? {dy} ⊙ ({x} / 3 + ½) : {dy}",
        gradient: g => $"{Runtime}.Gradients.HardSwish({g.X}, {g.Dy}, {g.Dx}, {g.Accumulate})",
        elementwise: true,
        gpu: "HardSwish");

    public static readonly ActivationOp Clip = new(
        name: "clip",
        forms: new[] { new OpForm("clip", "Clip", ClipMin, ClipMax) },
        definition: (x, a) => $"min(max({x}, {a[0]}), {a[1]})",
        scalar: (v, a) => $"{Runtime}.SpecialFunctions.Clip({v}, {a[0]}, {a[1]})",
        span: (x, y, a) => $"{Runtime}.Activations.Clip({x}, {y}, {a[0]}, {a[1]})",
        derivative: "{dx} = min ≤ {x} ≤ max ? {dy} : 0",
        gradient: g => $"{Runtime}.Gradients.Clip({g.X}, {g.Dy}, {g.Dx}, {g.Arguments[0]}, {g.Arguments[1]}, {g.Accumulate})",
        elementwise: true,
        gpu: "Clip");

    /// <summary>Every activation, in the order the format's table lists them.</summary>
    public static readonly IReadOnlyList<ActivationOp> Activations = new[]
    {
        Identity, Relu, LeakyRelu, Gelu, GeluTanh, Silu, Sigmoid, Tanh, Softmax, LogSoftmax,
        Elu, Selu, Softplus, Mish, HardSigmoid, HardSwish, Clip,
    };

    /// <summary>
    /// Every op of the format with its JSON keys and attribute: the structural ops, then each
    /// activation form. <see cref="LayerForm.Activations"/> is empty for a structural op.
    /// </summary>
    public static readonly IReadOnlyList<LayerForm> Layers = BuildLayers();

    private static readonly Dictionary<string, LayerForm> ByJsonName = Layers.ToDictionary(l => l.JsonName, StringComparer.Ordinal);

    private static readonly Dictionary<string, LayerForm> ByAttributeName = Layers.Where(l => l.AttributeName is not null).ToDictionary(l => l.AttributeName!, StringComparer.Ordinal);

    /// <summary>The op a JSON <c>"op"</c> value names, or null.</summary>
    public static LayerForm? FromJson(string name) => ByJsonName.TryGetValue(name, out var form) ? form : null;

    /// <summary>The op an attribute class names (<c>LeakyRelu</c> for <c>LeakyReluAttribute</c>), or null.</summary>
    public static LayerForm? FromAttribute(string name) => ByAttributeName.TryGetValue(name, out var form) ? form : null;

    /// <summary>The format's op names, as messages list them.</summary>
    public static string JsonNames => string.Join(", ", Layers.Select(l => l.JsonName));

    /// <summary>The names a linear layer's <c>activation</c> key accepts, as messages list them.</summary>
    public static string ActivationNames => string.Join(", ", Layers.Where(l => l.IsActivation).Select(l => l.JsonName));

    private static LayerForm[] BuildLayers()
    {
        var structural = new[]
        {
            new LayerForm(LayerOp.Linear, "linear", "Linear", new[] { "op", "name", "out", "weight", "bias", "activation", "gpu" }, Array.Empty<ActivationOp>()),
            new LayerForm(LayerOp.Affine, "affine", "Affine", new[] { "op", "name", "scale", "shift" }, Array.Empty<ActivationOp>()),
            new LayerForm(LayerOp.LayerNorm, "layer_norm", "LayerNorm", new[] { "op", "name", "eps", "weight", "bias" }, Array.Empty<ActivationOp>()),
            new LayerForm(LayerOp.RmsNorm, "rms_norm", "RmsNorm", new[] { "op", "name", "eps", "weight" }, Array.Empty<ActivationOp>()),
            new LayerForm(LayerOp.BatchNorm, "batch_norm", "BatchNorm", new[] { "op", "name", "eps", "running_mean", "running_var", "weight", "bias" }, Array.Empty<ActivationOp>()),
            new LayerForm(LayerOp.Residual, "residual", "Residual", new[] { "op", "name", "layers" }, Array.Empty<ActivationOp>()),
            new LayerForm(LayerOp.Slice, "slice", "Slice", new[] { "op", "name", "start", "end" }, Array.Empty<ActivationOp>()),
            new LayerForm(LayerOp.Mask, "mask", "Mask", new[] { "op", "name", "input", "start", "fill" }, Array.Empty<ActivationOp>()),
            new LayerForm(LayerOp.ArgMax, "argmax", "ArgMax", new[] { "op", "name", "groups", "last" }, Array.Empty<ActivationOp>()),
            new LayerForm(LayerOp.SwiGlu, "swiglu", "SwiGlu", new[] { "op", "name", "hidden", "gate", "up", "down", "out", "gpu" }, Array.Empty<ActivationOp>()),
        };

        // An activation form may be shared by several functions (gelu's two variants): one layer form each name.
        var activations = Activations
            .SelectMany(op => op.Forms.Select(form => (op, form)))
            .GroupBy(x => x.form.JsonName, StringComparer.Ordinal)
            .Select(g =>
            {
                var first = g.First().form;
                var keys = new[] { "op", "name" }
                    .Concat(g.SelectMany(x => x.form.Parameters.Select(p => p.Key)))
                    .Concat(g.Select(x => x.form.Variant?.Key).OfType<string>())
                    .Distinct(StringComparer.Ordinal)
                    .ToArray();
                return new LayerForm(LayerOp.Activation, first.JsonName, first.AttributeName, keys, g.Select(x => x.op).ToArray());
            });

        // The format's table order: linear and affine, the activations, then the norms and blocks.
        return structural.Take(2).Concat(activations).Concat(structural.Skip(2)).ToArray();
    }
}

/// <summary>
/// One way a description writes an op: its <c>"op"</c> name, its attribute (null: JSON only, an
/// alias such as <c>swish</c>), the keys it reads, and the functions it may stand for (an
/// activation form with a variant key, as gelu's <c>approximate</c>, stands for several).
/// </summary>
internal sealed class LayerForm
{
    public LayerForm(LayerOp op, string jsonName, string? attributeName, string[] keys, IReadOnlyList<ActivationOp> activations)
    {
        Op = op;
        JsonName = jsonName;
        AttributeName = attributeName;
        Keys = keys;
        Activations = activations;
    }

    public LayerOp Op { get; }

    public string JsonName { get; }

    public string? AttributeName { get; }

    /// <summary>The keys a layer object of this op may have.</summary>
    public string[] Keys { get; }

    /// <summary>The functions an activation form stands for, its default first; empty for a structural op.</summary>
    public IReadOnlyList<ActivationOp> Activations { get; }

    public bool IsActivation => Activations.Count > 0;

    /// <summary>This form as the function it stands for carries it (its parameters and variant).</summary>
    public OpForm FormOf(ActivationOp op) => op.Forms.First(f => f.JsonName == JsonName);
}

/// <summary>How a description writes an activation: names, parameters in the order steps pass them, and the variant it selects.</summary>
internal sealed record OpForm(string JsonName, string? AttributeName, params OpParameter[] Parameters)
{
    /// <summary>The key and value that select this function among those of one name (gelu's <c>"approximate": "tanh"</c>).</summary>
    public OpVariant? Variant { get; init; }
}

/// <summary>
/// A key that selects one function among those of one op name: JSON <c>"approximate": "tanh"</c>,
/// attribute <c>TanhApproximation = true</c>.
/// </summary>
internal sealed record OpVariant(string Key, string Value, string AttributeName, bool AttributeValue);

/// <summary>
/// A parameter of an activation: its JSON key, its attribute property, its default, and the rule
/// the checker applies. <see cref="Computes"/> is false for a parameter read and checked but
/// not used by inference (dropout's <c>p</c>).
/// </summary>
internal sealed record OpParameter(string Key, string AttributeName, float Default, ParameterRule Rule, bool Computes = true);

/// <summary>The values an activation parameter accepts (checked once, by the checker, for both forms).</summary>
internal enum ParameterRule
{
    /// <summary>Any finite number.</summary>
    Finite,

    /// <summary>A probability in [0, 1).</summary>
    Probability,

    /// <summary>A finite number above 0.</summary>
    Positive,
}

/// <summary>
/// An activation function: one entry of the catalogue. Models refer to the catalogue's own
/// instances; equality is by <see cref="Name"/>, which the catalogue keeps unique.
/// </summary>
internal sealed class ActivationOp : IEquatable<ActivationOp>
{
    private readonly Func<string, IReadOnlyList<string>, string> _definition;
    private readonly Func<string, IReadOnlyList<string>, string>? _scalar;
    private readonly Func<string, string, IReadOnlyList<string>, string> _span;
    private readonly Func<string, string, string, string>? _gpuStep;
    private readonly Func<GradientCall, string> _gradient;

    public ActivationOp(
        string name,
        OpForm[] forms,
        Func<string, IReadOnlyList<string>, string> definition,
        Func<string, IReadOnlyList<string>, string>? scalar,
        Func<string, string, IReadOnlyList<string>, string> span,
        string derivative,
        Func<GradientCall, string> gradient,
        bool elementwise,
        string? epilogue = null,
        string? gpu = null,
        Func<string, string, string, string>? gpuStep = null)
    {
        Name = name;
        Forms = forms;
        _definition = definition;
        _scalar = scalar;
        _span = span;
        Derivative = derivative;
        _gradient = gradient;
        Elementwise = elementwise;
        Epilogue = epilogue;
        GpuActivation = gpu;
        _gpuStep = gpuStep;
    }

    /// <summary>The function's name in plans and comments (<c>gelu_tanh</c> for gelu's tanh form).</summary>
    public string Name { get; }

    /// <summary>The ways descriptions write it; the first is the canonical one (what <c>ToDescription</c> would write).</summary>
    public IReadOnlyList<OpForm> Forms { get; }

    /// <summary>
    /// True when an element's result does not depend on where it is in the tensor (the runtime
    /// computes these with the same float operations in every lane and tail), so one call may
    /// cover a whole block of samples and a store may apply it a panel at a time.
    /// </summary>
    public bool Elementwise { get; }

    /// <summary>The runtime's <c>Epilogue</c> member that applies it in a packed kernel's stores, or null where none does.</summary>
    public string? Epilogue { get; }

    /// <summary>The <c>GpuActivation</c> member that applies it on the device, or null for a step of its own.</summary>
    public string? GpuActivation { get; }

    /// <summary>Whether unrolled layers can compute it one value at a time (<see cref="Scalar"/>).</summary>
    public bool HasScalar => _scalar is not null;

    /// <summary>The parameters inference uses, in the order steps pass them.</summary>
    public IReadOnlyList<OpParameter> Parameters => Forms[0].Parameters.Where(p => p.Computes).ToArray();

    /// <summary>The math of <c>y = f(x)</c>'s right-hand side, for comments.</summary>
    public string Definition(string x, IReadOnlyList<string> arguments) => _definition(x, arguments);

    /// <summary>The C# expression of one value, for unrolled layers.</summary>
    public string Scalar(string v, IReadOnlyList<string> arguments) =>
        _scalar is null ? throw new InvalidOperationException(Name + " has no one-value form.") : _scalar(v, arguments);

    /// <summary>The C# call over a span (without the semicolon).</summary>
    public string Span(string x, string y, IReadOnlyList<string> arguments) => _span(x, y, arguments);

    /// <summary>The backward pass's math, <c>{dx}</c> from <c>{dy}</c> (and <c>{x}</c> or <c>{y}</c>), for comments.</summary>
    private string Derivative { get; }

    /// <summary>The backward pass's math with the step's tensors named, for comments.</summary>
    public string DerivativeOf(string x, string y, string dx, string dy, bool accumulate)
    {
        string math = Derivative.Replace("{x}", x).Replace("{y}", y).Replace("{dx}", dx).Replace("{dy}", dy);
        int equals = math.IndexOf(" = ", StringComparison.Ordinal);
        return accumulate ? math.Substring(0, equals) + " += " + math.Substring(equals + 3) : math;
    }

    /// <summary>The C# call of the backward step over a span (without the semicolon): <c>dx (+)= dy ⊙ f′</c>.</summary>
    public string Gradient(GradientCall call) => _gradient(call);

    /// <summary>The GPU session builder's call for this step when it has no <see cref="GpuActivation"/>.</summary>
    public string GpuStep(string x, string y, string where) =>
        _gpuStep is null ? throw new InvalidOperationException(Name + " runs as a GpuActivation.") : _gpuStep(x, y, where);

    public bool Equals(ActivationOp? other) => other is not null && other.Name == Name;

    public override bool Equals(object? obj) => obj is ActivationOp other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    public override string ToString() => Name;
}

/// <summary>
/// The operands of an activation's backward call: the step's input <see cref="X"/> and output
/// <see cref="Y"/>, the gradients <see cref="Dy"/> and <see cref="Dx"/>, the row size (for the
/// softmaxes), the parameters as literals, and whether <c>dx</c> is added to.
/// </summary>
internal sealed record GradientCall(string X, string Y, string Dy, string Dx, string Size, IReadOnlyList<string> Arguments, string Accumulate);
