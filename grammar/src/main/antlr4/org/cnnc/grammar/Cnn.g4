// The .cnn language: blocks and networks built from chains of layers.
// Keywords are case-insensitive (the whole lexer is); the compiler decides which
// identifiers are layers (case-insensitive) and which are parameters, labels and
// blocks (case-sensitive). The parser knows nothing about what a layer is.
grammar Cnn;

options { caseInsensitive = true; }

@lexer::members {
    // `//` is floor division inside parentheses (where every expression lives)
    // and starts a comment everywhere else.
    private int parenDepth = 0;
}

file        : declaration* EOF ;
declaration : blockDecl | networkDecl ;

networkDecl : NETWORK name=ID paramList? LBRACE inputDecl ARROW? chain RBRACE ;
blockDecl   : BLOCK name=ID paramList? ASSIGN chain ;

inputDecl   : INPUT DIMS                                              # inputDims
            | INPUT INT                                               # inputFeatures
            | INPUT LPAREN expr (COMMA expr)* RPAREN                  # inputExprs
            ;

paramList   : LPAREN (param (COMMA param)*)? RPAREN ;
param       : ID (ASSIGN expr)? ;

chain       : element (ARROW element)* ;
element     : (label COLON)? term suffix* ;
label       : ID (LBRACE expr RBRACE)? ;

term        : LBRACK chain RBRACK                                      # group
            | ADD LBRACE chain (PIPE chain)* RBRACE                    # addBranches
            | CONCAT LBRACE chain (PIPE chain)* RBRACE                 # concatBranches
            | INPUT                                                    # inputRef
            | ID (LPAREN (arg (COMMA arg)*)? RPAREN)?                  # call
            ;

suffix      : STAR repeatCount (AS index=ID)?                          # repeat
            | QUESTION (LPAREN expr RPAREN)?                           # optional
            ;
repeatCount : INT | ID | LPAREN expr RPAREN ;

arg         : (ID ASSIGN)? expr ;

// Later alternatives bind more loosely.
expr        : LPAREN expr RPAREN                                       # parens
            | IN DOT ID                                                # inShape
            | ID LPAREN (expr (COMMA expr)*)? RPAREN                   # callExpr
            | (INT | FLOAT)                                            # number
            | (TRUE | FALSE)                                           # bool
            | ID                                                       # ref
            | <assoc=right> expr CARET expr                            # power
            | MINUS expr                                               # negate
            | expr op=(STAR | SLASH | FLOORDIV | PERCENT) expr         # multiply
            | expr op=(PLUS | MINUS) expr                              # addSub
            | expr op=(EQ | NE | LT | LE | GT | GE) expr               # compare
            | NOT expr                                                 # not
            | expr AND expr                                            # and
            | expr OR expr                                             # or
            ;

NETWORK : 'network' ;
BLOCK   : 'block' ;
INPUT   : 'input' ;
ADD     : 'add' ;
CONCAT  : 'concat' ;
AS      : 'as' ;
AND     : 'and' ;
OR      : 'or' ;
NOT     : 'not' ;
TRUE    : 'true' ;
FALSE   : 'false' ;
IN      : 'in' ;

DIMS    : DIGITS ([x×] DIGITS)+ ;
FLOAT   : DIGITS '.' DIGITS? EXPONENT? | '.' DIGITS EXPONENT? | DIGITS EXPONENT ;
INT     : DIGITS ;
ID      : [a-z_] [a-z_0-9]* ;

ARROW    : '->' | '→' ;
LPAREN   : '(' { parenDepth++; } ;
RPAREN   : ')' { if (parenDepth > 0) parenDepth--; } ;
LBRACK   : '[' ;
RBRACK   : ']' ;
LBRACE   : '{' ;
RBRACE   : '}' ;
COMMA    : ',' ;
COLON    : ':' ;
PIPE     : '|' ;
QUESTION : '?' ;
DOT      : '.' ;
EQ       : '==' ;
NE       : '!=' ;
LE       : '<=' ;
GE       : '>=' ;
LT       : '<' ;
GT       : '>' ;
ASSIGN   : '=' ;
PLUS     : '+' ;
MINUS    : '-' ;
STAR     : '*' ;
FLOORDIV : '//' { parenDepth > 0 }? ;
SLASH    : '/' ;
PERCENT  : '%' ;
CARET    : '^' ;

LINE_COMMENT  : '//' { parenDepth == 0 }? ~[\r\n]* -> skip ;
HASH_COMMENT  : '#' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n\f\u00A0\uFEFF]+ -> skip ;

// Anything else becomes a token of its own so that the parser reports it with a position.
UNKNOWN_CHAR : . ;

fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : 'e' [+-]? DIGITS ;
