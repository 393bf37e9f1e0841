using System.Globalization;
using System.Linq;
using NetGen.Onnx.Proto;

namespace NetGen.Onnx;

/// <summary>The graph index: consumers, inputs, values by name, attributes, and the errors that name a node.</summary>
internal sealed partial class GraphWalker
{
    private bool IsUsed(string name) => _graphOutputs.Contains(name) || _consumers.ContainsKey(name);

    private (int Index, NodeProto Node)? SingleConsumer(string name)
    {
        if (_graphOutputs.Contains(name) || !_consumers.TryGetValue(name, out var list) || list.Count != 1)
        {
            return null;
        }

        return (list[0], _graph.Node[list[0]]);
    }

    private static string? InputName(NodeProto node, int index) =>
        index < node.Input.Count && node.Input[index].Length > 0 ? node.Input[index] : null;

    private Value Get(NodeProto node, string name)
    {
        if (_values.TryGetValue(name, out var value))
        {
            return value;
        }

        throw _constants.ContainsKey(name)
            ? NodeError(node, $"it computes on the constant '{name}' alone; NetGen layers read the network's data")
            : NodeError(node, $"it reads '{name}', which is not the output of an earlier layer on the network's chain (a branch, or a tensor inside a closed residual block)");
    }

    private Value Latest(NodeProto node, string name)
    {
        var value = Get(node, name);
        if (value.Position != Chain(value.Segment).Count)
        {
            throw NodeError(node, $"it reads '{name}', which is not the latest layer's output; NetGen networks are a chain, with skips only through a residual Add");
        }

        _segment = value.Segment;
        return value;
    }

    private long IntAttribute(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    private float FloatAttribute(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;

    private string StringAttribute(NodeProto node, string name, string fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.S.ToStringUtf8() : fallback;

    /// <summary>How messages name a node: its name, or its position and first output when it has none.</summary>
    private string Label(NodeProto node) =>
        node.Name.Length > 0
            ? "'" + node.Name + "'"
            : "#" + (_graph.Node.IndexOf(node) + 1).ToString(CultureInfo.InvariantCulture) + (node.Output.Count > 0 ? " (writes '" + node.Output[0] + "')" : string.Empty);

    private OnnxImportException ModelError(string message) => new($"{Source}: {message}");

    private OnnxImportException NodeError(NodeProto node, string message) =>
        new($"{Source}: node {Label(node)}, {node.OpType}: {message}") { Node = Label(node) };
}
