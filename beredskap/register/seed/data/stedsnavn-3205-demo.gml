<?xml version="1.0" encoding="UTF-8"?>
<!-- The demo's place names, made in the form of Geonorge's "Stedsnavn for vanlig bruk" GML
     download, written by bench/address_data.py; approximate points, made-up numbers. -->
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:app="https://skjema.geonorge.no/SOSI/produktspesifikasjon/StedsnavnForVanligBruk/20231001"
    gml:id="demo-3205">
  <gml:featureMember>
    <app:Sted gml:id="demo-990001">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990001</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990001-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>279439.37 6653097.23</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Lillestrøm</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>by</app:navneobjekttype>
      <app:sortering>viktighetC</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990001</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990002">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990002</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990002-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>276905.37 6652300.67</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Strømmen</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>tettsted</app:navneobjekttype>
      <app:sortering>viktighetE</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990002</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990003">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990003</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990003-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>276554.84 6654833.76</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Skjetten</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>tettsted</app:navneobjekttype>
      <app:sortering>viktighetE</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990003</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990004">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990004</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990004-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>278965.89 6654911.71</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Kjeller</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>tettsted</app:navneobjekttype>
      <app:sortering>viktighetE</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990004</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990005">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990005</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990005-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>282472.25 6656489.19</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Leirsund</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>tettsted</app:navneobjekttype>
      <app:sortering>viktighetE</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990005</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990006">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990006</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990006-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>282947.70 6659809.92</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Frogner</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>tettsted</app:navneobjekttype>
      <app:sortering>viktighetE</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990006</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990007">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990007</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990007-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>285730.67 6661544.39</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Lindeberg</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>tettsted</app:navneobjekttype>
      <app:sortering>viktighetE</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990007</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990008">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990008</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990008-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>290659.07 6655903.42</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Sørumsand</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>tettsted</app:navneobjekttype>
      <app:sortering>viktighetE</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990008</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990009">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990009</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990009-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>293551.35 6655628.68</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Blaker</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>tettsted</app:navneobjekttype>
      <app:sortering>viktighetE</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990009</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990010">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990010</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990010-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>285553.08 6649834.78</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Fetsund</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>tettsted</app:navneobjekttype>
      <app:sortering>viktighetE</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990010</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990011">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990011</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990011-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>288682.07 6641841.85</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Enebakkneset</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>tettsted</app:navneobjekttype>
      <app:sortering>viktighetE</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990011</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990012">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990012</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990012-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>287886.24 6663093.67</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Lørenfallet</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>tettsted</app:navneobjekttype>
      <app:sortering>viktighetE</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990012</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990013">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990013</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990013-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>288969.28 6642941.54</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Øyeren</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>innsjø</app:navneobjekttype>
      <app:sortering>viktighetD</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990013</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990014">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990014</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990014-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>278616.04 6652811.64</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Nitelva</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>elv</app:navneobjekttype>
      <app:sortering>viktighetE</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990014</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990015">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990015</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990015-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>285538.35 6651509.89</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Glomma</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>elv</app:navneobjekttype>
      <app:sortering>viktighetC</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990015</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990016">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990016</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990016-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>281829.34 6655076.04</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Leira</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>elv</app:navneobjekttype>
      <app:sortering>viktighetF</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990016</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990017">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990017</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990017-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>278785.26 6654699.27</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Kjeller flyplass</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>flyplass</app:navneobjekttype>
      <app:sortering>viktighetF</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990017</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990018">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990018</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990018-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>285323.28 6649736.51</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Fetsund lenser</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>museum</app:navneobjekttype>
      <app:sortering>viktighetG</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990018</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
  <gml:featureMember>
    <app:Sted gml:id="demo-990019">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>990019</app:lokalId><app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-990019-p" srsName="urn:ogc:def:crs:EPSG::25833"><gml:pos>279397.10 6652764.86</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte><app:komplettskrivemåte>Lillestrøm stasjon</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>stasjon</app:navneobjekttype>
      <app:sortering>viktighetG</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>3205</app:kommunenummer><app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>990019</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
</gml:FeatureCollection>
