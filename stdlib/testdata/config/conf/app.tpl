listen ${port}
%{ for s in servers ~}
server ${s}
%{ endfor ~}
upper=${upper(name)}
