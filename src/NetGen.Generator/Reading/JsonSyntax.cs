using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;

namespace NetGen.Generator.Reading;

// Why a parser of our own rather than System.Text.Json:
//  * an analyzer that references System.Text.Json must ship it (and System.Memory,
//    System.Buffers, ...) next to itself, and the compiler host may already have loaded
//    a different version: a known source of load failures in IDEs;
//  * JsonDocument keeps no positions for its elements, and every diagnostic must point
//    at a line and column.
// JSON (RFC 8259) is small enough that a strict recursive-descent parser with positions
// is less code than the workarounds. It is only used here, on trusted-size inputs that
// are still bounded (nesting depth), and it never throws for bad input: the first
// syntax error comes back as a JsonSyntaxError.

internal enum JsonKind
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>A parsed JSON value and the character range it covers in the file.</summary>
internal abstract class JsonNode
{
    protected JsonNode(int start, int end)
    {
        Start = start;
        End = end;
    }

    public int Start { get; }

    public int End { get; internal set; }

    public abstract JsonKind Kind { get; }

    /// <summary>How a message names this kind of value: "a string", "an array", ...</summary>
    public string Describe() => Kind switch
    {
        JsonKind.Object => "an object",
        JsonKind.Array => "an array",
        JsonKind.String => "a string",
        JsonKind.Number => "a number",
        JsonKind.True or JsonKind.False => "a boolean",
        _ => "null",
    };
}

internal sealed class JsonObject : JsonNode
{
    public JsonObject(int start)
        : base(start, start)
    {
    }

    public override JsonKind Kind => JsonKind.Object;

    public List<JsonProperty> Properties { get; } = new();
}

internal sealed class JsonProperty
{
    public JsonProperty(string name, int nameStart, int nameEnd, JsonNode value)
    {
        Name = name;
        NameStart = nameStart;
        NameEnd = nameEnd;
        Value = value;
    }

    public string Name { get; }

    public int NameStart { get; }

    public int NameEnd { get; }

    public JsonNode Value { get; }
}

internal sealed class JsonArray : JsonNode
{
    public JsonArray(int start)
        : base(start, start)
    {
    }

    public override JsonKind Kind => JsonKind.Array;

    public List<JsonNode> Items { get; } = new();
}

internal sealed class JsonString : JsonNode
{
    public JsonString(int start, int end, string value)
        : base(start, end) => Value = value;

    public override JsonKind Kind => JsonKind.String;

    public string Value { get; }
}

internal sealed class JsonNumber : JsonNode
{
    public JsonNumber(int start, int end, double value)
        : base(start, end) => Value = value;

    public override JsonKind Kind => JsonKind.Number;

    /// <summary>The number as a double; a literal beyond double's range is an infinity.</summary>
    public double Value { get; }
}

internal sealed class JsonLiteral : JsonNode
{
    public JsonLiteral(int start, int end, JsonKind kind)
        : base(start, end) => Kind = kind;

    public override JsonKind Kind { get; }
}

/// <summary>The first syntax error of a document: where, what was expected, what was found.</summary>
internal sealed record JsonSyntaxError(int Position, int Length, string Expected, string Found);

/// <summary>A strict RFC 8259 parser that records the position of every value.</summary>
internal sealed class JsonParser
{
    /// <summary>Deeper nesting than any description needs; bounds the recursion.</summary>
    public const int MaxDepth = 64;

    private readonly string _text;
    private readonly CancellationToken _cancellationToken;
    private readonly StringBuilder _buffer = new();
    private int _pos;
    private JsonSyntaxError? _error;

    private JsonParser(string text, CancellationToken cancellationToken)
    {
        _text = text;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Parses a whole document: one value, surrounded by whitespace only.</summary>
    public static JsonNode? Parse(string text, out JsonSyntaxError? error, CancellationToken cancellationToken = default)
    {
        var parser = new JsonParser(text, cancellationToken);
        parser.SkipWhitespace();
        JsonNode? root = parser.ParseValue(0);
        if (root is not null)
        {
            parser.SkipWhitespace();
            if (parser._pos < text.Length)
            {
                parser.Fail("the end of the document", parser.DescribeHere());
                root = null;
            }
        }

        error = parser._error;
        return error is null ? root : null;
    }

    private JsonNode? ParseValue(int depth)
    {
        if (_pos >= _text.Length)
        {
            return Fail("a value", "the end of the document");
        }

        char c = _text[_pos];
        switch (c)
        {
            case '{':
                return depth >= MaxDepth ? Fail($"at most {MaxDepth} levels of nesting", "deeper nesting") : ParseObject(depth + 1);
            case '[':
                return depth >= MaxDepth ? Fail($"at most {MaxDepth} levels of nesting", "deeper nesting") : ParseArray(depth + 1);
            case '"':
                int start = _pos;
                string? s = ParseString();
                return s is null ? null : new JsonString(start, _pos, s);
            case 't':
                return ParseLiteral("true", JsonKind.True);
            case 'f':
                return ParseLiteral("false", JsonKind.False);
            case 'n':
                return ParseLiteral("null", JsonKind.Null);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return ParseNumber();
                }

                return Fail("a value", DescribeHere());
        }
    }

    private JsonNode? ParseObject(int depth)
    {
        var obj = new JsonObject(_pos);
        _pos++; // '{'
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
            obj.End = _pos;
            return obj;
        }

        while (true)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            SkipWhitespace();
            if (Peek() != '"')
            {
                return Fail("a property name in double quotes", DescribeHere());
            }

            int nameStart = _pos;
            string? name = ParseString();
            if (name is null)
            {
                return null;
            }

            int nameEnd = _pos;
            SkipWhitespace();
            if (Peek() != ':')
            {
                return Fail("':' after the property name", DescribeHere());
            }

            _pos++;
            SkipWhitespace();
            JsonNode? value = ParseValue(depth);
            if (value is null)
            {
                return null;
            }

            obj.Properties.Add(new JsonProperty(name, nameStart, nameEnd, value));
            SkipWhitespace();
            char next = Peek();
            if (next == ',')
            {
                _pos++;
                continue;
            }

            if (next == '}')
            {
                _pos++;
                obj.End = _pos;
                return obj;
            }

            return Fail("',' or '}'", DescribeHere());
        }
    }

    private JsonNode? ParseArray(int depth)
    {
        var array = new JsonArray(_pos);
        _pos++; // '['
        SkipWhitespace();
        if (Peek() == ']')
        {
            _pos++;
            array.End = _pos;
            return array;
        }

        while (true)
        {
            if ((array.Items.Count & 0xFFF) == 0)
            {
                _cancellationToken.ThrowIfCancellationRequested();
            }

            SkipWhitespace();
            JsonNode? item = ParseValue(depth);
            if (item is null)
            {
                return null;
            }

            array.Items.Add(item);
            SkipWhitespace();
            char next = Peek();
            if (next == ',')
            {
                _pos++;
                continue;
            }

            if (next == ']')
            {
                _pos++;
                array.End = _pos;
                return array;
            }

            return Fail("',' or ']'", DescribeHere());
        }
    }

    private string? ParseString()
    {
        int start = _pos;
        _pos++; // opening quote
        _buffer.Clear();
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c == '"')
            {
                _pos++;
                return _buffer.ToString();
            }

            if (c < ' ')
            {
                Fail("a closing '\"' (control characters must be escaped in strings)", DescribeHere());
                return null;
            }

            if (c != '\\')
            {
                _buffer.Append(c);
                _pos++;
                continue;
            }

            int escapeStart = _pos;
            _pos++;
            if (_pos >= _text.Length)
            {
                break;
            }

            char e = _text[_pos++];
            switch (e)
            {
                case '"': _buffer.Append('"'); break;
                case '\\': _buffer.Append('\\'); break;
                case '/': _buffer.Append('/'); break;
                case 'b': _buffer.Append('\b'); break;
                case 'f': _buffer.Append('\f'); break;
                case 'n': _buffer.Append('\n'); break;
                case 'r': _buffer.Append('\r'); break;
                case 't': _buffer.Append('\t'); break;
                case 'u':
                    if (_pos + 4 > _text.Length
                        || !int.TryParse(_text.Substring(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                    {
                        _pos = escapeStart;
                        Fail("four hexadecimal digits after '\\u'", DescribeHere());
                        return null;
                    }

                    _buffer.Append((char)code);
                    _pos += 4;
                    break;
                default:
                    _pos = escapeStart;
                    Fail("a valid escape sequence (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", $"'\\{e}'");
                    return null;
            }
        }

        _pos = start;
        Fail("a closing '\"'", "the end of the document");
        return null;
    }

    private JsonNode? ParseNumber()
    {
        int start = _pos;
        if (Peek() == '-')
        {
            _pos++;
        }

        if (Peek() == '0')
        {
            _pos++;
        }
        else if (IsDigit(Peek()))
        {
            while (IsDigit(Peek()))
            {
                _pos++;
            }
        }
        else
        {
            return Fail("a digit", DescribeHere());
        }

        if (Peek() == '.')
        {
            _pos++;
            if (!IsDigit(Peek()))
            {
                return Fail("a digit after the decimal point", DescribeHere());
            }

            while (IsDigit(Peek()))
            {
                _pos++;
            }
        }

        if (Peek() is 'e' or 'E')
        {
            _pos++;
            if (Peek() is '+' or '-')
            {
                _pos++;
            }

            if (!IsDigit(Peek()))
            {
                return Fail("a digit in the exponent", DescribeHere());
            }

            while (IsDigit(Peek()))
            {
                _pos++;
            }
        }

        // Literals beyond double's range parse to an infinity; the reader reports them as non-finite.
        double value = double.Parse(_text.Substring(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture);
        return new JsonNumber(start, _pos, value);
    }

    private JsonNode? ParseLiteral(string literal, JsonKind kind)
    {
        int start = _pos;
        if (string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) != 0)
        {
            return Fail("a value", DescribeHere());
        }

        _pos += literal.Length;
        return new JsonLiteral(start, _pos, kind);
    }

    private void SkipWhitespace()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r')
        {
            _pos++;
        }
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    private string DescribeHere()
    {
        if (_pos >= _text.Length)
        {
            return "the end of the document";
        }

        char c = _text[_pos];
        return c switch
        {
            '\n' or '\r' => "the end of the line",
            _ when char.IsControl(c) || char.IsSurrogate(c) => $"the character U+{(int)c:X4}",
            _ => $"'{c}'",
        };
    }

    private JsonNode? Fail(string expected, string found)
    {
        _error ??= new JsonSyntaxError(_pos, _pos < _text.Length ? 1 : 0, expected, found);
        return null;
    }
}
