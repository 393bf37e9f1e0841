using System.Linq;

namespace NetGen.Generator.Model;

/// <summary>
/// A description the checker accepted: every size agrees, <see cref="OutputSize"/> is what the
/// network produces, and <see cref="InputSizes"/> is the size each layer receives, in the
/// description's order with a residual's inner layers after the residual itself (the shapes the
/// checker inferred, which the planner uses rather than inferring them again). Source positions are gone (only diagnostics need them, and those are
/// reported), so an edit that moves text but changes no value leaves the model equal and every
/// later step cached.
/// </summary>
/// <remarks>Equality contract: value equality over every member.</remarks>
internal sealed record CheckedNetwork(NetworkSpec Spec, int OutputSize, EquatableArray<int> InputSizes)
{
    /// <summary>The spec with every <see cref="SourceRange"/> set to <see cref="SourceRange.None"/>.</summary>
    public static NetworkSpec WithoutPositions(NetworkSpec spec) =>
        spec with
        {
            InputRange = SourceRange.None,
            LayersRange = SourceRange.None,
            Layers = spec.Layers.Select(WithoutPositions).ToEquatableArray(),
            Inputs = spec.Inputs.Select(i => i with { Range = SourceRange.None }).ToEquatableArray(),
            Constants = spec.Constants.Select(c => c with { Range = SourceRange.None }).ToEquatableArray(),
        };

    private static LayerSpec WithoutPositions(LayerSpec layer) => layer switch
    {
        LinearSpec l => l with
        {
            Range = SourceRange.None,
            NameRange = SourceRange.None,
            OutRange = SourceRange.None,
            Weight = WithoutPositions(l.Weight)!,
            Bias = WithoutPositions(l.Bias),
            Activation = l.Activation is null ? null : (ActivationSpec)WithoutPositions(l.Activation),
        },
        ActivationSpec a => a with { Range = SourceRange.None, NameRange = SourceRange.None, Parameters = a.Parameters.Select(p => p with { Range = SourceRange.None }).ToEquatableArray() },
        NormSpec n => n with
        {
            Range = SourceRange.None,
            NameRange = SourceRange.None,
            Epsilon = n.Epsilon with { Range = SourceRange.None },
            Weight = WithoutPositions(n.Weight),
            Bias = WithoutPositions(n.Bias),
            RunningMean = WithoutPositions(n.RunningMean),
            RunningVar = WithoutPositions(n.RunningVar),
        },
        AffineSpec f => f with { Range = SourceRange.None, NameRange = SourceRange.None, Scale = WithoutPositions(f.Scale), Shift = WithoutPositions(f.Shift) },
        SliceSpec c => c with { Range = SourceRange.None, NameRange = SourceRange.None, StartRange = SourceRange.None, EndRange = SourceRange.None },
        MaskSpec m => m with { Range = SourceRange.None, NameRange = SourceRange.None, InputRange = SourceRange.None, StartRange = SourceRange.None },
        ArgMaxSpec a => a with { Range = SourceRange.None, NameRange = SourceRange.None, GroupsRange = SourceRange.None },
        ResidualSpec r => r with { Range = SourceRange.None, NameRange = SourceRange.None, Layers = r.Layers.Select(WithoutPositions).ToEquatableArray() },
        SwiGluSpec g => g with
        {
            Range = SourceRange.None,
            NameRange = SourceRange.None,
            HiddenRange = SourceRange.None,
            OutRange = SourceRange.None,
            Gate = WithoutPositions(g.Gate)!,
            Up = WithoutPositions(g.Up)!,
            Down = WithoutPositions(g.Down)!,
        },
        _ => layer,
    };

    private static TensorSpec? WithoutPositions(TensorSpec? tensor) => tensor is null ? null : tensor with { Range = SourceRange.None };
}
