<?xml version="1.0" encoding="UTF-8"?>
<!-- Made for the tests in the form of Geonorge's "Stedsnavn for vanlig bruk" GML download:
     six places. Lillestrøm (a point, with an older spelling), Nitelva (a centre line),
     Øyeren in two municipalities (a multipoint), Sandvika in Bærum (3201, left out), a place
     without a position (malformed), and Kjeller given in EPSG:4258 (latitude first). -->
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:app="https://skjema.geonorge.no/SOSI/produktspesifikasjon/StedsnavnForVanligBruk/20231001"
    gml:id="sample">
  <gml:boundedBy>
    <gml:Envelope srsName="urn:ogc:def:crs:EPSG::25833" srsDimension="2">
      <gml:lowerCorner>270000 6640000</gml:lowerCorner>
      <gml:upperCorner>300000 6670000</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <gml:featureMember>
    <app:Sted gml:id="s1">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>100001</app:lokalId></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="s1-p"><gml:pos>279417.05 6653098.57</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn>
        <app:Stedsnavn>
          <app:språk>norsk</app:språk>
          <app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Lillestrøm</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte>
          <app:annenSkrivemåte><app:Skrivemåte><app:komplettskrivemåte>Lillestrøm stasjonsby</app:komplettskrivemåte><app:skrivemåtestatus>historisk</app:skrivemåtestatus></app:Skrivemåte></app:annenSkrivemåte>
        </app:Stedsnavn>
      </app:stedsnavn>
      <app:navneobjekttype>by</app:navneobjekttype>
      <app:sortering>viktighetC</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>100001</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="s2">
      <app:senterlinje><gml:LineString gml:id="s2-l" srsName="urn:ogc:def:crs:EPSG::25833"><gml:posList>278000 6652000 279000 6653000 280000 6654000</gml:posList></gml:LineString></app:senterlinje>
      <app:stedsnavn><app:Stedsnavn>
        <app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Nitelva</app:komplettskrivemåte></app:Skrivemåte></app:skrivemåte>
      </app:Stedsnavn></app:stedsnavn>
      <app:navneobjekttype>elv</app:navneobjekttype>
      <app:sortering>viktighetE</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer></app:Kommune></app:kommune>
      <app:stedsnummer>100002</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="s3">
      <app:multipunkt><gml:MultiPoint gml:id="s3-m" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:pointMember><gml:Point gml:id="s3-1"><gml:pos>290000 6645000</gml:pos></gml:Point></gml:pointMember>
        <gml:pointMember><gml:Point gml:id="s3-2"><gml:pos>292000 6647000</gml:pos></gml:Point></gml:pointMember>
      </gml:MultiPoint></app:multipunkt>
      <app:stedsnavn><app:Stedsnavn>
        <app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Øyeren</app:komplettskrivemåte></app:Skrivemåte></app:skrivemåte>
      </app:Stedsnavn></app:stedsnavn>
      <app:navneobjekttype>innsjø</app:navneobjekttype>
      <app:sortering>viktighetD</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3224</app:kommunenummer></app:Kommune></app:kommune>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer></app:Kommune></app:kommune>
      <app:stedsnummer>100003</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="s4">
      <app:posisjon><gml:Point gml:id="s4-p"><gml:pos>249413.88 6647642.17</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn>
        <app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Sandvika</app:komplettskrivemåte></app:Skrivemåte></app:skrivemåte>
      </app:Stedsnavn></app:stedsnavn>
      <app:navneobjekttype>by</app:navneobjekttype>
      <app:kommune><app:Kommune><app:kommunenummer>3201</app:kommunenummer></app:Kommune></app:kommune>
      <app:stedsnummer>100004</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="s5">
      <app:stedsnavn><app:Stedsnavn>
        <app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Uten posisjon</app:komplettskrivemåte></app:Skrivemåte></app:skrivemåte>
      </app:Stedsnavn></app:stedsnavn>
      <app:navneobjekttype>gard</app:navneobjekttype>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer></app:Kommune></app:kommune>
      <app:stedsnummer>100005</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="s6">
      <app:posisjon><gml:Point gml:id="s6-p" srsName="urn:ogc:def:crs:EPSG::4258"><gml:pos>59.972 11.039</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn>
        <app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Kjeller</app:komplettskrivemåte></app:Skrivemåte></app:skrivemåte>
      </app:Stedsnavn></app:stedsnavn>
      <app:navneobjekttype>tettsted</app:navneobjekttype>
      <app:sortering>viktighetF</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer></app:Kommune></app:kommune>
      <app:stedsnummer>100006</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
</gml:FeatureCollection>
