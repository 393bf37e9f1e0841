using System.Linq;
using Google.Protobuf;
using NetGen.Onnx.Proto;

namespace NetGen.Tests.Onnx;

/// <summary>Builds ONNX models in tests, with NetGen's own message definitions.</summary>
internal sealed class OnnxGraph
{
    private readonly GraphProto _graph = new() { Name = "test" };
    private readonly long _opset;
    private int _names;

    /// <param name="shape">The input's shape; 0 for a dynamic axis ("batch").</param>
    public OnnxGraph(long opset, params long[] shape)
    {
        _opset = opset;
        _graph.Input.Add(Value("x", shape));
    }

    public string Input => "x";

    /// <summary>Adds another graph input (a mask input, say) and returns its name.</summary>
    public string AddInput(string name, params long[] shape)
    {
        _graph.Input.Add(Value(name, shape));
        return name;
    }

    /// <summary>Adds a float32 initializer and returns its name.</summary>
    public string Initializer(float[] values, params long[] dims)
    {
        string name = "w" + (++_names).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a node and returns its (first) output's name.</summary>
    public string Node(string op, string[] inputs, params AttributeProto[] attributes) => Node(op, inputs, 1, attributes);

    public string Node(string op, string[] inputs, int outputs, params AttributeProto[] attributes)
    {
        string name = op.ToLowerInvariant() + (++_names).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(Enumerable.Range(0, outputs).Select(i => i == 0 ? name + "_out" : name + "_out" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return node.Output[0];
    }

    public ModelProto Build(string output, params long[] shape) => BuildOfType(output, TensorProto.Types.DataType.Float, shape);

    /// <summary>A model whose output is of <paramref name="type"/> (an ArgMax's int64).</summary>
    public ModelProto BuildOfType(string output, TensorProto.Types.DataType type, params long[] shape)
    {
        var graph = _graph.Clone();
        graph.Output.Add(Value(output, shape));
        graph.Output[0].Type.TensorType.ElemType = (int)type;
        var model = new ModelProto { IrVersion = 8, ProducerName = "NetGen.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = _opset });
        return model;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private static ValueInfoProto Value(string name, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.AddRange(shape.Select(d => d > 0
            ? new TensorShapeProto.Types.Dimension { DimValue = d }
            : new TensorShapeProto.Types.Dimension { DimParam = "batch" }));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } },
        };
    }
}
