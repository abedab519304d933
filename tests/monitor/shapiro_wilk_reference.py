#!/usr/bin/env python3
# A NumPy-only re-derivation of Royston's AS R94 Shapiro-Wilk test (W and its
# p-value), with the normal quantile by bisection on erfc (independent of the
# C++ code's approximation). Prints the reference values that
# tests/monitor/shapiro_wilk_test.cc checks. Usage: python3 shapiro_wilk_reference.py
import numpy as np, math
def qnorm(p):
    # bisection on erfc-based cdf, independent of Acklam
    lo,hi=-40.0,40.0
    for _ in range(200):
        mid=(lo+hi)/2
        if 0.5*math.erfc(-mid/math.sqrt(2))<p: lo=mid
        else: hi=mid
    return (lo+hi)/2
def poly(c,x):
    return sum(ci*x**i for i,ci in enumerate(c))
def swilk(x):
    x=np.sort(np.asarray(x,float)); n=len(x); nn2=n//2
    a=np.zeros(nn2+1)
    if n==3: a[1]=math.sqrt(0.5)
    else:
        m=np.array([0]+[qnorm((i-.375)/(n+.25)) for i in range(1,nn2+1)])
        summ2=2*np.sum(m[1:]**2); ssumm2=math.sqrt(summ2); rsn=1/math.sqrt(n)
        a1=poly([0,.221157,-.147981,-2.07119,4.434685,-2.706056],rsn)-m[1]/ssumm2
        if n>5:
            a2=-m[2]/ssumm2+poly([0,.042981,-.293762,-1.752461,5.682633,-3.582633],rsn)
            fac=math.sqrt((summ2-2*m[1]**2-2*m[2]**2)/(1-2*a1**2-2*a2**2)); a[2]=a2; i1=3
        else:
            fac=math.sqrt((summ2-2*m[1]**2)/(1-2*a1**2)); i1=2
        a[1]=a1
        for i in range(i1,nn2+1): a[i]=-m[i]/fac
    coef=np.zeros(n)
    for i in range(nn2):
        coef[i]=-a[i+1]; coef[n-1-i]=a[i+1]
    # W directly: (sum coef*x)^2 / sum (x-mean)^2 (coefs normalised to unit norm)
    w=np.dot(coef,x)**2/np.sum((x-x.mean())**2)/np.sum(coef**2)
    w1=1-w
    if n==3:
        return w, max(0,6/math.pi*(math.asin(math.sqrt(w))-math.pi/3))
    y=math.log(w1); lx=math.log(n)
    if n<=11:
        g=poly([-2.273,.459],n)
        y=-math.log(g-y); mu=poly([.544,-.39978,.025054,-6.714e-4],n); s=math.exp(poly([1.3822,-.77857,.062767,-.0020322],n))
    else:
        mu=poly([-1.5861,-.31082,-.083751,.0038915],lx); s=math.exp(poly([-.4803,-.082676,.0030302],lx))
    p=0.5*math.erfc((y-mu)/s/math.sqrt(2))
    return w,p
men=[148,154,158,160,161,162,166,170,182,195,236]
print("men",swilk(men))
tab=[0.5601,0.3315,0.2260,0.1429,0.0695]
xs=sorted(men); n=11
b=sum(tab[i]*(xs[n-1-i]-xs[i]) for i in range(5))
print("men exact-table W", b*b/np.sum((np.array(xs)-np.mean(xs))**2))
print("n3",swilk([1,2,4]))
d20=[2.1,3.4,1.9,5.6,4.4,3.3,2.8,4.1,3.9,2.2,6.8,3.0,3.6,4.9,2.5,3.1,4.0,3.7,2.9,5.2]
print("d20",swilk(d20))
u=list(range(1,101))
print("u100",swilk(u))
e=[math.exp(i/10) for i in range(50)]
print("exp50",swilk(e))
